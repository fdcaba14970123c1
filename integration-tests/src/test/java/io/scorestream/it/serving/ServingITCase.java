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
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.testing.RepositoryCopies;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving steps end to end, on the reference models, a MiniCluster and the in-process broker:
 * routing by event type, the cascade from the small to the large fraud model (fraud-mlp ->
 * fraud-gru), result cache hits, and each step of the fallback chain (fallback model, default
 * score) for a model that cannot be loaded and for slow models, whose circuit breakers open. Every
 * prediction's path says what happened.
 */
class ServingITCase {

    private static final float UNCERTAIN_LOW = 0.3f;
    private static final float UNCERTAIN_HIGH = 0.7f;
    private static final float DEFAULT_SCORE = 0.5f;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;
    @TempDir Path repositoryCopy;

    @Test
    void routesByEventTypeEscalatesUncertainScoresAndServesRepeatsFromTheCache() throws Exception {
        Configuration conf =
                JobRuns.configuration("serving-routes", KAFKA.bootstrapServers(), checkpoints);
        conf.setString(ScoringOptions.ROUTING_EVENT_TYPES.key(), "checkout:intent-gru");
        conf.set(ScoringOptions.CASCADE_FROM, "fraud-mlp");
        conf.set(ScoringOptions.CASCADE_TO, "fraud-gru");
        conf.set(ScoringOptions.CASCADE_BAND, UNCERTAIN_LOW + ".." + UNCERTAIN_HIGH);
        conf.set(ScoringOptions.CACHE_MAX_ENTRIES, 10_000);
        conf.set(ScoringOptions.CACHE_TTL, Duration.ofMinutes(10));
        conf.set(ScoringOptions.CACHE_DISABLED_MODELS, List.of("intent-gru", "fraud-gru"));
        List<SyntheticSession> sessions = TestJobs.sessions(91, 40);
        // The same sessions again under new ids: every model input repeats exactly.
        List<SyntheticSession> repeats = renamed(sessions, "again-");
        ExpectedScores mlp = expected("fraud-mlp", "2", sessions, repeats);
        ExpectedScores intent = expected("intent-gru", "2", sessions, repeats);
        ExpectedScores large = expected("fraud-gru", "1", sessions, repeats);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);

        JobClient job = JobRuns.start(conf, TestJobs.PARALLELISM, "serving-routes");
        List<InferenceEvent> first = TestJobs.events(sessions);
        KAFKA.clients().publish(events, keyedBySession(first));
        awaitPredictions(KAFKA.clients(), conf, first.size());
        List<InferenceEvent> second = TestJobs.events(repeats);
        KAFKA.clients().publish(events, keyedBySession(second));
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, first.size() + second.size());
        job.cancel().get();

        JobRuns.assertOnePredictionPerEvent(
                predictions, Stream.concat(first.stream(), second.stream()).toList());
        int routed = 0;
        int escalated = 0;
        int cachedRepeats = 0;
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            boolean repeat = id.startsWith("again-");
            float mlpScore = mlp.scoreByEvent().get(id);
            assertThat(prediction.getFallback()).as("fallback for %s", id).isFalse();
            if (prediction.getEventType().equals("checkout")) {
                routed++;
                assertThat(steps(prediction)).as(id).containsExactly("intent-gru:2=SCORED");
                assertScore(prediction, "intent-gru", "2", intent.scoreByEvent().get(id));
            } else if (mlpScore >= UNCERTAIN_LOW && mlpScore <= UNCERTAIN_HIGH) {
                escalated++;
                assertThat(steps(prediction))
                        .as(id)
                        .containsExactly("fraud-mlp:2=ESCALATED", "fraud-gru:1=SCORED");
                assertScore(prediction, "fraud-gru", "1", large.scoreByEvent().get(id));
            } else {
                assertScore(prediction, "fraud-mlp", "2", mlpScore);
                if (repeat) {
                    cachedRepeats++;
                    assertThat(steps(prediction)).as(id).containsExactly("fraud-mlp:2=CACHED");
                    assertThat(prediction.getCached()).isTrue();
                    assertThat(prediction.getLatency().getBatchSize()).isZero();
                } else {
                    // A first sight is scored, unless its exact input happened to be seen before.
                    assertThat(steps(prediction))
                            .as(id)
                            .containsAnyOf("fraud-mlp:2=SCORED", "fraud-mlp:2=CACHED");
                }
            }
        }
        assertThat(routed).as("checkout events routed").isPositive();
        assertThat(escalated).as("uncertain scores escalated").isPositive();
        assertThat(cachedRepeats).as("repeats served from the cache").isPositive();
    }

    @Test
    void aModelThatCannotBeLoadedFallsBackToItsFallbackModelOrTheDefaultScore() throws Exception {
        Path repository = repositoryWithCorruptVersion();
        List<SyntheticSession> sessions = TestJobs.sessions(92, 12);
        List<InferenceEvent> events = TestJobs.events(sessions);
        ExpectedScores mlp = expected("fraud-mlp", "2", sessions, List.of());

        Configuration withFallback = corruptRoute("serving-fallback", repository);
        withFallback.setString(ScoringOptions.FALLBACK_MODELS.key(), "fraud-gru:fraud-mlp");
        for (Prediction prediction : run(withFallback, events)) {
            String id = prediction.getEventId();
            assertScore(prediction, "fraud-mlp", "2", mlp.scoreByEvent().get(id));
            if (prediction.getEventType().equals("checkout")) {
                assertThat(steps(prediction))
                        .as(id)
                        .containsExactly("fraud-gru:2=UNAVAILABLE", "fraud-mlp:2=SCORED");
                assertThat(prediction.getFallback()).isTrue();
                assertThat(prediction.getFallbackReason()).isEqualTo("MODEL_UNAVAILABLE");
            } else {
                assertThat(steps(prediction)).as(id).containsExactly("fraud-mlp:2=SCORED");
                assertThat(prediction.getFallback()).isFalse();
            }
        }

        Configuration withoutFallback = corruptRoute("serving-default", repository);
        List<Prediction> defaults =
                run(withoutFallback, events).stream()
                        .filter(p -> p.getEventType().equals("checkout"))
                        .toList();
        assertThat(defaults).isNotEmpty();
        for (Prediction prediction : defaults) {
            assertThat(steps(prediction)).containsExactly("fraud-gru:2=UNAVAILABLE");
            assertThat(prediction.getFallback()).isTrue();
            assertThat(prediction.getFallbackReason()).isEqualTo("MODEL_UNAVAILABLE");
            assertThat(prediction.getScore()).isEqualTo(DEFAULT_SCORE);
        }
    }

    @Test
    void slowModelsTimeOutToTheDefaultScoreAndTheirBreakersOpen() throws Exception {
        Configuration conf =
                JobRuns.configuration("serving-slow", KAFKA.bootstrapServers(), checkpoints);
        // Rows wait a minute for a batch of 64 that a handful of events never fills: every model
        // call outlives the model timeout.
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 64);
        conf.set(ScoringOptions.MAX_DELAY, Duration.ofMinutes(1));
        conf.set(ScoringOptions.MODEL_TIMEOUT, Duration.ofMillis(300));
        conf.set(ScoringOptions.ASYNC_TIMEOUT, Duration.ofSeconds(10));
        conf.setString(ScoringOptions.FALLBACK_MODELS.key(), "fraud-mlp:fraud-gru");
        conf.set(ScoringOptions.BREAKER_FAILURE_THRESHOLD, 3);
        conf.set(ScoringOptions.BREAKER_COOL_DOWN, Duration.ofMinutes(10));
        conf.set(ScoringOptions.FALLBACK_SCORE, DEFAULT_SCORE);
        List<InferenceEvent> events = TestJobs.events(TestJobs.sessions(93, 2));
        List<InferenceEvent> slow = events.subList(0, 3);
        List<InferenceEvent> afterwards = events.subList(3, 6);
        String topic = topic(conf, ScoringOptions.EVENTS_TOPIC);

        JobClient job = JobRuns.start(conf, TestJobs.PARALLELISM, "serving-slow");
        KAFKA.clients().publish(topic, keyedBySession(slow));
        awaitPredictions(KAFKA.clients(), conf, slow.size());
        KAFKA.clients().publish(topic, keyedBySession(afterwards));
        Map<String, Prediction> byId =
                awaitPredictions(KAFKA.clients(), conf, slow.size() + afterwards.size()).stream()
                        .collect(Collectors.toMap(Prediction::getEventId, Function.identity()));
        job.cancel().get();

        for (InferenceEvent event : slow) {
            Prediction prediction = byId.get(event.getEventId());
            assertThat(steps(prediction))
                    .containsExactly("fraud-mlp:2=TIMEOUT", "fraud-gru:1=TIMEOUT");
            assertThat(prediction.getFallbackReason()).isEqualTo("INFERENCE_TIMEOUT");
            assertThat(prediction.getScore()).isEqualTo(DEFAULT_SCORE);
        }
        // Three timeouts in a row opened both breakers: later events skip both models at once.
        for (InferenceEvent event : afterwards) {
            Prediction prediction = byId.get(event.getEventId());
            assertThat(steps(prediction))
                    .containsExactly("fraud-mlp:2=CIRCUIT_OPEN", "fraud-gru:1=CIRCUIT_OPEN");
            assertThat(prediction.getFallbackReason()).isEqualTo("CIRCUIT_OPEN");
            assertThat(prediction.getScore()).isEqualTo(DEFAULT_SCORE);
        }
    }

    // ---------------------------------------------------------------------------------------

    private List<Prediction> run(Configuration conf, List<InferenceEvent> events) throws Exception {
        JobClient job =
                JobRuns.start(conf, TestJobs.PARALLELISM, conf.get(ScoringOptions.GROUP_ID));
        KAFKA.clients().publish(topic(conf, ScoringOptions.EVENTS_TOPIC), keyedBySession(events));
        List<Prediction> predictions = awaitPredictions(KAFKA.clients(), conf, events.size());
        job.cancel().get();
        JobRuns.assertOnePredictionPerEvent(predictions, events);
        return predictions;
    }

    /** Checkout events to fraud-gru version 2, whose model files are corrupt. */
    private Configuration corruptRoute(String testId, Path repository) throws Exception {
        Configuration conf = JobRuns.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.MODEL_REPOSITORY, repository.toString());
        conf.setString(ScoringOptions.ROUTING_EVENT_TYPES.key(), "checkout:fraud-gru");
        conf.setString(ScoringOptions.ROUTING_VERSIONS.key(), "fraud-gru:2");
        conf.set(ScoringOptions.FALLBACK_SCORE, DEFAULT_SCORE);
        return conf;
    }

    /**
     * The reference fraud models plus fraud-gru version 2: version 1's files under a manifest that
     * names version 2, with one byte of each model file flipped, so its checksums do not match.
     */
    private Path repositoryWithCorruptVersion() {
        RepositoryCopies.copy(repositoryCopy, "fraud-mlp/1", "fraud-mlp/2", "fraud-gru/1");
        Path corrupt = RepositoryCopies.copyAs(repositoryCopy, "fraud-gru", "1", "2");
        RepositoryCopies.flipAByte(corrupt.resolve("model.pt"));
        RepositoryCopies.flipAByte(corrupt.resolve("model.onnx"));
        assertThat(ModelRepository.at(repositoryCopy).versions("fraud-gru")).contains("2");
        return repositoryCopy;
    }

    private static ExpectedScores expected(
            String model,
            String version,
            List<SyntheticSession> sessions,
            List<SyntheticSession> more) {
        List<SyntheticSession> all = new ArrayList<>(sessions);
        all.addAll(more);
        return ExpectedScores.of(
                ModelRepository.at(ReferenceModels.root()).resolve(model, version).manifest(),
                all,
                ExpectedScores.HISTORY);
    }

    private static List<SyntheticSession> renamed(List<SyntheticSession> sessions, String prefix) {
        return sessions.stream()
                .map(
                        s ->
                                new SyntheticSession(
                                        prefix + s.sessionId(),
                                        s.userId(),
                                        s.fraud(),
                                        s.buyer(),
                                        s.events().stream()
                                                .map(
                                                        e ->
                                                                InferenceEvent.newBuilder(e)
                                                                        .setEventId(
                                                                                prefix
                                                                                        + e
                                                                                                .getEventId())
                                                                        .setSessionId(
                                                                                prefix
                                                                                        + s
                                                                                                .sessionId())
                                                                        .build())
                                                .toList()))
                .toList();
    }

    private static void assertScore(
            Prediction prediction, String model, String version, float expected) {
        assertThat(prediction.getModelName())
                .as("model of %s", prediction.getEventId())
                .isEqualTo(model);
        assertThat(prediction.getModelVersion()).isEqualTo(version);
        assertThat(prediction.getScore())
                .as("score of %s", prediction.getEventId())
                .isCloseTo(expected, within(1e-5f));
    }

    private static List<String> steps(Prediction prediction) {
        return prediction.getPath().stream()
                .map(s -> s.getModel() + ":" + s.getVersion() + "=" + s.getOutcome())
                .toList();
    }
}
