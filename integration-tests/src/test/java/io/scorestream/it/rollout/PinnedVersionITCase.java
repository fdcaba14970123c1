package io.scorestream.it.rollout;

import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.TestJobs;
import io.scorestream.it.security.CapturedLogs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.RepositoryCopies;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no rollout in force, the version a job serves is pinned in its state: resubmitted from a
 * savepoint after a newer version was published, it keeps serving the old one; only a version its
 * settings name moves it, and the change is logged.
 */
class PinnedVersionITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;
    @TempDir Path repository;

    @Test
    void aRestoredJobServesItsVersionUntilItsSettingsNameAnother() throws Exception {
        RepositoryCopies.copy(repository, "fraud-mlp/1");
        Configuration conf = JobRuns.configuration("pinned", KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.MODEL_REPOSITORY, repository.toString());
        List<SyntheticSession> sessions = TestJobs.sessions(23, 12);
        List<InferenceEvent> all = TestJobs.events(sessions);
        List<List<InferenceEvent>> thirds =
                List.of(
                        all.subList(0, all.size() / 3),
                        all.subList(all.size() / 3, 2 * all.size() / 3),
                        all.subList(2 * all.size() / 3, all.size()));
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);
        String savepoints = checkpoints.resolve("savepoints").toUri().toString();

        KAFKA.clients().publish(events, keyedBySession(thirds.get(0)));
        JobClient first = JobRuns.start(conf, TestJobs.PARALLELISM, "pinned-first");
        awaitPredictions(KAFKA.clients(), conf, thirds.get(0).size());
        String savepoint =
                first.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();

        // Version 2 is published: 'latest' now means 2 when the job is built again.
        RepositoryCopies.copy(repository, "fraud-mlp/2");
        KAFKA.clients().publish(events, keyedBySession(thirds.get(1)));
        Configuration resubmitted = new Configuration(conf);
        resubmitted.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = JobRuns.start(resubmitted, TestJobs.PARALLELISM, "pinned-second");
        awaitPredictions(KAFKA.clients(), conf, thirds.get(0).size() + thirds.get(1).size());
        savepoint =
                second.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();

        KAFKA.clients().publish(events, keyedBySession(thirds.get(2)));
        Configuration moved = new Configuration(conf);
        moved.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        moved.set(ScoringOptions.MODEL_VERSION, "2");
        List<Prediction> predictions;
        String log;
        try (CapturedLogs logs = CapturedLogs.capture()) {
            JobClient third = JobRuns.start(moved, TestJobs.PARALLELISM, "pinned-third");
            predictions = awaitPredictions(KAFKA.clients(), conf, all.size());
            third.cancel().get();
            log = logs.text();
        }

        Map<String, String> versionByEvent =
                predictions.stream()
                        .collect(
                                Collectors.toMap(
                                        Prediction::getEventId, Prediction::getModelVersion));
        assertThat(versionsOf(thirds.get(0), versionByEvent)).as("first run").containsOnly("1");
        assertThat(versionsOf(thirds.get(1), versionByEvent))
                .as("resubmitted after version 2 was published")
                .containsOnly("1");
        assertThat(versionsOf(thirds.get(2), versionByEvent))
                .as("resubmitted with scorestream.model.version 2")
                .containsOnly("2");
        assertThat(log)
                .contains(
                        "the version of fraud-mlp served while no rollout is in force changes from"
                                + " 1 (restored state) to 2 (the job's settings)");
    }

    private static Set<String> versionsOf(
            List<InferenceEvent> events, Map<String, String> versionByEvent) {
        Set<String> versions = new HashSet<>();
        for (InferenceEvent event : events) {
            versions.add(versionByEvent.get(event.getEventId()));
        }
        return versions;
    }
}
