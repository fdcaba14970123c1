package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.assertAsUninterrupted;
import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.hasOpenTransaction;
import static io.scorestream.it.failures.JobRuns.stableAndEndOffsets;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.KafkaPreflight;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What exactly-once leaves in Kafka's transaction coordinator: a crashed job's open transactions
 * hold back every {@code read_committed} reader until the restored job aborts them; and a second
 * job with the same transactional id prefix is refused at start-up instead of fencing the first.
 */
class KafkaTransactionsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void lingeringTransactionsOfACrashedJobAreAbortedOnRestore() throws Exception {
        Configuration conf =
                JobRuns.configuration("lingering", KAFKA.bootstrapServers(), checkpoints);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Configuration crashing = new Configuration(conf);
        crashing.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        List<SyntheticSession> sessions = TestJobs.sessions(61, 30);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);
        String predictionsTopic = topic(conf, ScoringOptions.PREDICTIONS_TOPIC);
        CrashInCheckpoint.reset();

        KAFKA.clients().publish(events, keyedBySession(heads));
        JobClient first =
                JobRuns.start(
                        crashing,
                        TestJobs.PARALLELISM,
                        "lingering-first",
                        ScoringPipeline.microBatchedAsync(),
                        KafkaTransactionsITCase::tap);
        awaitPredictions(KAFKA.clients(), conf, heads.size());
        CrashInCheckpoint.ARMED.set(true);
        KAFKA.clients().publish(events, keyedBySession(tails));
        assertThat(CrashInCheckpoint.STALLED.await(60, TimeUnit.SECONDS))
                .as("a checkpoint with predictions in its transaction began")
                .isTrue();
        CrashInCheckpoint.RELEASE.countDown();
        awaitStatus(first, JobStatus.FAILED);

        // The crashed job's transaction stays open: readers are held back, and its transactional
        // ids are open in the coordinator.
        Map<Integer, JobRuns.Offsets> afterCrash =
                stableAndEndOffsets(KAFKA.bootstrapServers(), predictionsTopic);
        assertThat(hasOpenTransaction(afterCrash)).as("open transaction after the crash").isTrue();
        // Showing that something does not happen takes time: give the broker a second to close it.
        Thread.sleep(1_000);
        assertThat(stableAndEndOffsets(KAFKA.bootstrapServers(), predictionsTopic))
                .as("nothing closes it but the job")
                .isEqualTo(afterCrash);
        // ...which the start-up check does not mistake for another job writing.
        KafkaPreflight.checkTransactionalIdPrefixIsFree(
                ScoringSettings.from(conf).kafka(), Duration.ofMillis(1_500));

        Configuration restored = new Configuration(conf);
        restored.set(
                StateRecoveryOptions.SAVEPOINT_PATH,
                JobRuns.latestCheckpoint(checkpoints, first.getJobID()).toString());
        JobClient second =
                JobRuns.start(
                        restored,
                        TestJobs.PARALLELISM,
                        "lingering-restored",
                        ScoringPipeline.microBatchedAsync(),
                        KafkaTransactionsITCase::tap);
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        Map<Integer, JobRuns.Offsets> afterRestore =
                stableAndEndOffsets(KAFKA.bootstrapServers(), predictionsTopic);
        second.cancel().get();

        for (var partition : afterCrash.entrySet()) {
            long stableAtCrash = partition.getValue().stable();
            long endAtCrash = partition.getValue().end();
            assertThat(afterRestore.get(partition.getKey()).stable())
                    .as(
                            "last stable offset of partition %s moved past the crashed transaction",
                            partition.getKey())
                    .isGreaterThanOrEqualTo(endAtCrash)
                    .isGreaterThanOrEqualTo(stableAtCrash);
        }
        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertAsUninterrupted(predictions, JobRuns.Uninterrupted.of(conf, sessions));
    }

    @Test
    void aSecondJobWithTheSameTransactionalIdPrefixIsRefused() throws Exception {
        Configuration conf =
                JobRuns.configuration("same-prefix", KAFKA.bootstrapServers(), checkpoints);
        KafkaSettings kafkaSettings = ScoringSettings.from(conf).kafka();
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);
        JobClient running = JobRuns.start(conf, TestJobs.PARALLELISM, "same-prefix");
        AtomicBoolean producing = new AtomicBoolean(true);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try {
            Future<?> traffic =
                    producer.submit(
                            () -> {
                                SyntheticSessions generator = new SyntheticSessions(71);
                                while (producing.get()) {
                                    SyntheticSession session =
                                            generator.next(System.currentTimeMillis());
                                    KAFKA.clients()
                                            .publish(events, keyedBySession(session.events()));
                                    Thread.sleep(20);
                                }
                                return null;
                            });
            awaitPredictions(KAFKA.clients(), conf, 1);

            // A job that keeps writing shows: a transaction is open at one look and new ones
            // have begun at the next. Retried a few times, since a first look may fall between
            // two of its transactions.
            InvalidSettingsException refused = null;
            for (int attempt = 0; attempt < 5 && refused == null; attempt++) {
                try {
                    KafkaPreflight.checkTransactionalIdPrefixIsFree(
                            kafkaSettings, Duration.ofMillis(1_500));
                } catch (InvalidSettingsException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("the second job is refused").isNotNull();
            assertThat(refused.problems())
                    .singleElement()
                    .asString()
                    .startsWith("scorestream.kafka.transactional-id-prefix: another job is writing")
                    .contains("'tx-same-prefix'", "give every job its own prefix");

            Configuration other = new Configuration(conf);
            other.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "tx-same-prefix-2");
            KafkaPreflight.checkTransactionalIdPrefixIsFree(
                    ScoringSettings.from(other).kafka(), Duration.ofMillis(1_500));

            producing.set(false);
            traffic.get(30, TimeUnit.SECONDS);
        } finally {
            producing.set(false);
            producer.shutdownNow();
            running.cancel().get();
        }
    }

    // ---------------------------------------------------------------------------------------

    /** A branch beside the Kafka sink, chained into the same task. */
    private static void tap(
            org.apache.flink.streaming.api.datastream.DataStream<Prediction> predictions) {
        predictions
                .map(new CrashInCheckpoint())
                .name("Crash in checkpoint")
                .uid("crash-in-checkpoint")
                .sinkTo(new DiscardingSink<>())
                .name("Discard")
                .uid("discard");
    }

    private static void awaitStatus(JobClient job, JobStatus status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (job.getJobStatus().get() != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job not " + status + ": " + job.getJobStatus().get());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Chained with the Kafka sink writer, which flushes its transaction before any operator of the
     * task snapshots: once armed, the first checkpoint of a subtask that passed predictions since
     * the last one stalls here, with those predictions in a flushed, uncommitted transaction, until
     * the test releases it; then the task fails (the sync phase of a checkpoint cannot fail
     * quietly) and, with restarts off, the job with it. The writer's own clean-up aborts only a
     * transaction still taking records, not a flushed one: that one lingers, as after a crash.
     */
    static final class CrashInCheckpoint
            implements MapFunction<Prediction, Prediction>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static CountDownLatch STALLED = new CountDownLatch(1);
        static CountDownLatch RELEASE = new CountDownLatch(1);

        private transient long sinceLastCheckpoint;

        static void reset() {
            ARMED.set(false);
            STALLED = new CountDownLatch(1);
            RELEASE = new CountDownLatch(1);
        }

        @Override
        public Prediction map(Prediction prediction) {
            sinceLastCheckpoint++;
            return prediction;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            boolean crash = sinceLastCheckpoint > 0 && ARMED.compareAndSet(true, false);
            sinceLastCheckpoint = 0;
            if (crash) {
                STALLED.countDown();
                RELEASE.await(60, TimeUnit.SECONDS);
                throw new IllegalStateException(
                        "injected crash in checkpoint " + context.getCheckpointId());
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }
}
