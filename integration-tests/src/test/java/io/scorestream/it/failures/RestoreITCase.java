package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.assertAsUninterrupted;
import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A job stopped halfway through its sessions and restored, from a retained checkpoint or a
 * savepoint, at another parallelism: the restored session state scores every later event exactly as
 * an uninterrupted run would, and every event has exactly one committed prediction.
 */
class RestoreITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({"checkpoint, 2, 1", "savepoint, 2, 1", "savepoint, 1, 2"})
    void restoredSessionStateScoresAsAnUninterruptedRun(String kind, int before, int after)
            throws Exception {
        String testId = "restore-" + kind + "-" + before + "-" + after;
        Configuration conf = JobRuns.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        List<SyntheticSession> sessions = TestJobs.sessions(before * 10L + after, 16);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);

        KAFKA.clients().publish(events, keyedBySession(heads));
        JobClient first = JobRuns.start(conf, before, testId + "-first");
        awaitPredictions(KAFKA.clients(), conf, heads.size());
        String restoreFrom;
        if (kind.equals("savepoint")) {
            restoreFrom =
                    first.stopWithSavepoint(
                                    false,
                                    checkpoints.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
        } else {
            // Committed predictions mean a completed checkpoint covers every head; the job then
            // goes away without a savepoint, and its last checkpoint is kept.
            first.cancel().get();
            restoreFrom = JobRuns.latestCheckpoint(checkpoints, first.getJobID()).toString();
        }

        KAFKA.clients().publish(events, keyedBySession(tails));
        Configuration restored = new Configuration(conf);
        restored.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        JobClient second = JobRuns.start(restored, after, testId + "-second");
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        second.cancel().get();

        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertAsUninterrupted(predictions, JobRuns.Uninterrupted.of(conf, sessions));
    }
}
