package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.assertAsUninterrupted;
import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task fails while the async inference operator has requests in flight: the job restores from its
 * last checkpoint, Flink re-sends the checkpointed in-flight requests, and every event is still
 * scored exactly once, with the session state of an uninterrupted run.
 */
class InFlightFailureITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void aFailureBehindTheAsyncOperatorLosesAndDuplicatesNothing() throws Exception {
        Configuration conf =
                JobRuns.configuration("in-flight", KAFKA.bootstrapServers(), checkpoints);
        // Batches wait up to 20 ms to fill: a backlog keeps the async operator's 512 slots busy.
        conf.set(ScoringOptions.MAX_DELAY, Duration.ofMillis(20));
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 64);
        List<SyntheticSession> sessions = TestJobs.sessions(41, 120);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.3);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.3);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);
        FailOnceWhenArmed.reset();

        KAFKA.clients().publish(events, keyedBySession(heads));
        JobClient job =
                JobRuns.start(
                        conf,
                        TestJobs.PARALLELISM,
                        "in-flight",
                        (requests, plan, settings) ->
                                ScoringPipeline.microBatchedAsync()
                                        .apply(
                                                requests.map(new CountRequests())
                                                        .name("Count requests")
                                                        .uid("count-requests"),
                                                plan,
                                                settings)
                                        .map(new FailOnceWhenArmed())
                                        .name("Fault after inference")
                                        .uid("fault-after-inference"),
                        predictions -> {});
        // Committed heads: a checkpoint has completed, the failure restores from it.
        awaitPredictions(KAFKA.clients(), conf, heads.size());
        FailOnceWhenArmed.ARMED.set(true);
        KAFKA.clients().publish(events, keyedBySession(tails));

        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        job.cancel().get();

        assertThat(FailOnceWhenArmed.FAILURES).as("the injected failure happened").hasValue(1);
        assertThat(FailOnceWhenArmed.inFlightAtFailure())
                .as("requests in the async operator when the task failed")
                .isPositive();
        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertAsUninterrupted(predictions, JobRuns.Uninterrupted.of(conf, sessions));
    }

    /**
     * Once armed, lets {@link #FAIL_AT} results of the backlog pass and then throws: the async
     * operator in front still holds the rest of the backlog, queued or in a batch.
     */
    static final class FailOnceWhenArmed implements MapFunction<InferenceResult, InferenceResult> {
        private static final long serialVersionUID = 1L;
        static final int FAIL_AT = 50;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicInteger FAILURES = new AtomicInteger();
        static final AtomicInteger REQUESTED = new AtomicInteger();
        private static final AtomicInteger SEEN = new AtomicInteger();
        private static final AtomicInteger IN_FLIGHT_AT_FAILURE = new AtomicInteger();

        static void reset() {
            ARMED.set(false);
            FAILURES.set(0);
            REQUESTED.set(0);
            SEEN.set(0);
            IN_FLIGHT_AT_FAILURE.set(0);
        }

        static int inFlightAtFailure() {
            return IN_FLIGHT_AT_FAILURE.get();
        }

        @Override
        public InferenceResult map(InferenceResult result) {
            if (ARMED.get()) {
                int seen = SEEN.incrementAndGet();
                if (seen > FAIL_AT && ARMED.compareAndSet(true, false)) {
                    IN_FLIGHT_AT_FAILURE.set(REQUESTED.get() - seen);
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure behind the async operator");
                }
            }
            return result;
        }
    }

    /** Counts requests entering the async operator once the failure is armed. */
    static final class CountRequests implements MapFunction<InferenceRequest, InferenceRequest> {
        private static final long serialVersionUID = 1L;

        @Override
        public InferenceRequest map(InferenceRequest request) {
            if (FailOnceWhenArmed.ARMED.get()) {
                FailOnceWhenArmed.REQUESTED.incrementAndGet();
            }
            return request;
        }
    }
}
