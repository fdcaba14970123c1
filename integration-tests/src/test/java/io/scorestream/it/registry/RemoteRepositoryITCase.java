package io.scorestream.it.registry;

import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job served from a repository URI: {@code scorestream.model.repository} is a {@code file://}
 * URI of a copy of the reference models, read through Flink's filesystem and cached locally.
 */
class RemoteRepositoryITCase {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;
    @TempDir Path published;
    @TempDir Path cacheDir;

    @Test
    void everyEventIsScoredByTheVersionFetchedFromTheUri() throws Exception {
        copyReferenceModels(published, "fraud-mlp/1", "fraud-mlp/2");
        String testId = "remoteRepository";
        Configuration conf = TestJobs.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.MODEL_REPOSITORY, published.toUri().toString());
        conf.set(ScoringOptions.MODEL_CACHE_DIR, cacheDir.toString());
        conf.set(ScoringOptions.MODEL_NAME, "fraud-mlp");
        KAFKA.createTopics(3, TestJobs.topics(conf));
        List<SyntheticSession> sessions = TestJobs.sessions(41, 40);
        List<InferenceEvent> events = TestJobs.events(sessions);
        KAFKA.clients().publish(conf.get(ScoringOptions.EVENTS_TOPIC), keyedBySession(events));

        JobClient job = TestJobs.start(conf, testId);
        List<Prediction> predictions =
                KAFKA.clients()
                        .readCommitted(
                                conf.get(ScoringOptions.PREDICTIONS_TOPIC),
                                Prediction.class,
                                read ->
                                        new HashSet<>(
                                                                read.stream()
                                                                        .map(Prediction::getEventId)
                                                                        .toList())
                                                        .size()
                                                >= events.size(),
                                READ_TIMEOUT);
        job.cancel().get();

        ModelManifest latest =
                ModelRepository.at(ReferenceModels.root()).resolve("fraud-mlp", "2").manifest();
        ExpectedScores expected = ExpectedScores.of(latest, sessions, ExpectedScores.HISTORY);
        assertThat(predictions).hasSize(events.size());
        assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
        for (Prediction prediction : predictions) {
            assertThat(prediction.getModelName()).isEqualTo("fraud-mlp");
            assertThat(prediction.getModelVersion()).isEqualTo("2");
            assertThat(prediction.getFallback()).isFalse();
            assertThat(prediction.getScore())
                    .as("score of %s", prediction.getEventId())
                    .isCloseTo(expected.scoreByEvent().get(prediction.getEventId()), within(1e-5f));
        }

        // The TaskManager fetched the served version, and only it, into the configured cache.
        Path repositoryCache = singleFolderIn(cacheDir);
        assertThat(filesUnder(repositoryCache))
                .containsExactlyInAnyOrder(
                        "fraud-mlp/2/manifest.json",
                        "fraud-mlp/2/model.pt",
                        "fraud-mlp/2/model.onnx",
                        "fraud-mlp/2/golden.json");
        assertThat(Files.readAllBytes(repositoryCache.resolve("fraud-mlp/2/model.pt")))
                .isEqualTo(Files.readAllBytes(published.resolve("fraud-mlp/2/model.pt")));
    }

    private static void copyReferenceModels(Path root, String... versions) throws IOException {
        for (String version : versions) {
            Path source = ReferenceModels.root().resolve(version);
            Path target = Files.createDirectories(root.resolve(version));
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
    }

    private static Path singleFolderIn(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> all = entries.toList();
            assertThat(all).as("one cache folder per repository URI").hasSize(1);
            return all.get(0);
        }
    }

    private static List<String> filesUnder(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(Files::isRegularFile)
                    .map(p -> folder.relativize(p).toString())
                    .toList();
        }
    }
}
