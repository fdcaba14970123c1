package io.scorestream.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.input.KafkaClients;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real Flink session cluster (a JobManager and a TaskManager as separate
 * JVMs, {@code bin/scorestream cluster start}), submitted with Flink's CLI front end ({@code
 * bin/scorestream cluster submit}), reading from and writing to a real Kafka broker: exactly one
 * committed prediction per event, each with the bare model's score and its session position. A
 * second job on the same TaskManager JVM shows DJL's natives survive a new job classloader, and a
 * third runs the model's ONNX artifact ({@code scorestream.model.engine: OnnxRuntime}) from the
 * ONNX Runtime in the cluster's {@code lib/}.
 */
class StandaloneClusterIT {

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private static EmbeddedKafka kafka;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        cluster = StandaloneCluster.start(List.of("--taskmanagers", "1", "--slots", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void scoresEveryEventExactlyOnceAndAgainInASecondJobOnTheSameTaskManager() throws Exception {
        runJobAndCheck("first", 21, 60);
        // Same TaskManager JVM, new job, new user classloader: the model loads again (DJL in lib/).
        runJobAndCheck("second", 22, 30);
    }

    @Test
    void runsTheOnnxArtifactWithTheClustersOnnxRuntime() throws Exception {
        runJobAndCheck("onnx", 23, 30, "--" + ScoringOptions.MODEL_ENGINE.key(), "OnnxRuntime");

        assertThat(Files.readString(cluster.home().resolve("log/taskmanager-1.log")))
                .contains("Loaded model fraud-mlp v2 (OnnxRuntime on cpu)");
    }

    private void runJobAndCheck(String name, long seed, int sessionCount, String... moreArgs)
            throws Exception {
        List<SyntheticSession> sessions = Topics.sessions(seed, sessionCount);
        List<InferenceEvent> events = Topics.events(sessions);
        String eventsTopic = "events-" + name;
        String predictionsTopic = "predictions-" + name;
        kafka.createTopics(
                3, List.of(eventsTopic, predictionsTopic, "dlq-" + name, "control-" + name));
        try (Topics.EventProducer producer =
                new Topics.EventProducer(kafka.bootstrapServers(), eventsTopic)) {
            producer.send(events);
        }

        List<String> submit =
                new ArrayList<>(
                        List.of(
                                "submit",
                                "--jar",
                                StandaloneCluster.jobJar().toString(),
                                "--",
                                "--" + ScoringOptions.BOOTSTRAP_SERVERS.key(),
                                kafka.bootstrapServers(),
                                "--" + ScoringOptions.EVENTS_TOPIC.key(),
                                eventsTopic,
                                "--" + ScoringOptions.PREDICTIONS_TOPIC.key(),
                                predictionsTopic,
                                "--" + ScoringOptions.DEAD_LETTER_TOPIC.key(),
                                "dlq-" + name,
                                "--" + ScoringOptions.CONTROL_TOPIC.key(),
                                "control-" + name,
                                "--" + ScoringOptions.GROUP_ID.key(),
                                "group-" + name,
                                "--" + ScoringOptions.TRANSACTIONAL_ID_PREFIX.key(),
                                "tx-" + name,
                                "--" + ScoringOptions.STARTING_OFFSETS.key(),
                                "EARLIEST",
                                "--" + ScoringOptions.MODEL_REPOSITORY.key(),
                                ReferenceModels.root().toString(),
                                "--execution.checkpointing.interval",
                                "1 s"));
        submit.addAll(List.of(moreArgs));
        String output = cluster.run(submit.toArray(String[]::new));
        assertThat(output).contains("Job has been submitted with JobID");
        String jobId = output.replaceAll("(?s).*JobID ([0-9a-f]{32}).*", "$1");

        List<Prediction> predictions =
                KafkaClients.plain(kafka.bootstrapServers())
                        .readCommitted(
                                predictionsTopic,
                                Prediction.class,
                                read ->
                                        read.stream().map(Prediction::getEventId).distinct().count()
                                                >= events.size(),
                                READ_TIMEOUT);
        cancel(jobId);

        assertThat(predictions).hasSize(events.size());
        assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
        BareModelScores expected =
                BareModelScores.of("fraud-mlp", sessions, ExpectedScores.HISTORY);
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s in its session", id)
                    .isEqualTo(expected.positionByEvent().get(id));
            assertThat(prediction.getScore())
                    .as("score of %s", id)
                    .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
            assertThat(prediction.getFallback()).isFalse();
        }
    }

    private void cancel(String jobId) throws Exception {
        var request =
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(
                                        "http://localhost:"
                                                + StandaloneCluster.REST_PORT
                                                + "/jobs/"
                                                + jobId
                                                + "?mode=cancel"))
                        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build();
        java.net.http.HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.discarding());
        cluster.await(
                "job " + jobId + " cancelled",
                Duration.ofSeconds(60),
                () -> cluster.get("/jobs/" + jobId).path("state").asText().equals("CANCELED"));
    }
}
