package io.scorestream.it.serving;

import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.inference.InferenceServices;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on ONNX Runtime ({@code scorestream.model.engine: OnnxRuntime}), on a MiniCluster
 * and the in-process broker: the fraud cascade runs the ONNX artifacts of both models (the {@code
 * alternatives} of their manifests), and every prediction names its model and version and carries
 * the bare ONNX model's score.
 */
class OnnxEngineITCase {

    private static final float UNCERTAIN_LOW = 0.3f;
    private static final float UNCERTAIN_HIGH = 0.7f;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void scoresEveryEventWithTheOnnxArtifactsOfTheFraudCascade() throws Exception {
        Configuration conf =
                JobRuns.configuration("onnx-engine", KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.MODEL_ENGINE, EngineChoice.ONNX_RUNTIME);
        conf.set(ScoringOptions.CASCADE_FROM, "fraud-mlp");
        conf.set(ScoringOptions.CASCADE_TO, "fraud-gru");
        conf.set(ScoringOptions.CASCADE_BAND, UNCERTAIN_LOW + ".." + UNCERTAIN_HIGH);
        List<SyntheticSession> sessions = TestJobs.sessions(94, 40);
        List<InferenceEvent> events = TestJobs.events(sessions);
        ExpectedScores small = onnxScores("fraud-mlp", "2", sessions);
        ExpectedScores large = onnxScores("fraud-gru", "1", sessions);

        JobClient job = TestJobs.start(conf, "onnx-engine");
        KAFKA.clients().publish(topic(conf, ScoringOptions.EVENTS_TOPIC), keyedBySession(events));
        List<Prediction> predictions = awaitPredictions(KAFKA.clients(), conf, events.size());
        Map<String, String> artifactByModel = runningArtifacts();
        job.cancel().get();

        JobRuns.assertOnePredictionPerEvent(predictions, events);
        int escalated = 0;
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            float smallScore = small.scoreByEvent().get(id);
            assertThat(prediction.getFallback()).as("fallback for %s", id).isFalse();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s", id)
                    .isEqualTo(small.positionByEvent().get(id));
            if (smallScore >= UNCERTAIN_LOW && smallScore <= UNCERTAIN_HIGH) {
                escalated++;
                assertPrediction(prediction, "fraud-gru", "1", large.scoreByEvent().get(id));
            } else {
                assertPrediction(prediction, "fraud-mlp", "2", smallScore);
            }
        }
        assertThat(escalated).as("uncertain scores escalated to fraud-gru").isPositive();
        assertThat(artifactByModel)
                .as("what the job's model copies loaded")
                .containsEntry("fraud-mlp v2", "OnnxRuntime model.onnx")
                .containsEntry("fraud-gru v1", "OnnxRuntime model.onnx");
    }

    /**
     * The engine and artifact of every model copy running in this JVM (the MiniCluster's
     * TaskManager), joined for a moment: the factory is never called for a running service.
     */
    private static Map<String, String> runningArtifacts() {
        Map<String, String> artifacts = new HashMap<>();
        for (InferenceServices.Key key : InferenceServices.resident().keySet()) {
            assertThat(key.engine()).as("engine of %s", key).isEqualTo(EngineChoice.ONNX_RUNTIME);
            try (InferenceServices.Lease lease =
                    InferenceServices.acquire(
                            key,
                            () -> {
                                throw new AssertionError(key + " is no longer running");
                            })) {
                ModelManifest loaded = lease.service().join().manifest();
                artifacts.put(loaded.displayName(), loaded.engine() + " " + loaded.artifact());
            }
        }
        return artifacts;
    }

    private static ExpectedScores onnxScores(
            String model, String version, List<SyntheticSession> sessions) {
        return ExpectedScores.of(
                ReferenceModels.root(),
                ModelRepository.at(ReferenceModels.root()).resolve(model, version).manifest(),
                sessions,
                ExpectedScores.HISTORY,
                EngineChoice.ONNX_RUNTIME);
    }

    private static void assertPrediction(
            Prediction prediction, String model, String version, float expected) {
        String id = prediction.getEventId();
        assertThat(prediction.getModelName()).as("model of %s", id).isEqualTo(model);
        assertThat(prediction.getModelVersion()).as("version of %s", id).isEqualTo(version);
        assertThat(prediction.getScore()).as("score of %s", id).isCloseTo(expected, within(1e-5f));
    }
}
