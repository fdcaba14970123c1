package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.registry.RegistrySettings;
import io.scorestream.operators.routing.Cascade;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import io.scorestream.schemas.InferenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each step of an event's path on the real reference models: routed model, cache, cascade, fallback
 * model, default score, dead letter, circuit breaker and unavailable versions.
 */
class RequestScorerTest {

    private static final float[][] MLP_ROWS = ReferenceModels.goldenInputs("fraud-mlp", "1");
    private static final float[] MLP_SCORES = ReferenceModels.goldenScores("fraud-mlp", "1");
    private static final float[][] GRU_ROWS = ReferenceModels.goldenInputs("fraud-gru", "1");
    private static final float[] GRU_SCORES = ReferenceModels.goldenScores("fraud-gru", "1");

    private static final BatchingConfig IMMEDIATE = new BatchingConfig(8, Duration.ZERO, 64, 1);

    /** Batches of 64 that wait 10 minutes to fill: a lone row never finishes in a test. */
    private static final BatchingConfig STUCK =
            new BatchingConfig(64, Duration.ofMinutes(10), 64, 1);

    private final ManualClock clock = new ManualClock();
    private final String repository = "test-" + UUID.randomUUID();
    private final Map<String, BatchingConfig> batchingByModel = new java.util.HashMap<>();
    private ModelResidency residency;
    private ModelEndpoints endpoints;

    /** Stands in for the operator's mailbox thread, where answers are handled. */
    private final ExecutorService answers =
            Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "answers"));

    @AfterEach
    void close() {
        if (residency != null) {
            residency.close();
        }
        answers.shutdownNow();
    }

    @Test
    void theRoutedModelScoresAndTheCacheAnswersARepeat() throws Exception {
        RequestScorer scorer =
                scorer(
                        settings(new CacheConfig(100, Duration.ofMinutes(1), java.util.Set.of())),
                        null);

        InferenceResult first = score(scorer, request(mlp(0), null, null));
        assertThat(endedOn)
                .as("a model's answer is handled on the answers thread, not the model's worker")
                .isEqualTo("answers");
        InferenceResult repeat = score(scorer, request(mlp(0), null, null));

        assertThat(first.outcome).isEqualTo(InferenceResult.Outcome.SCORED);
        assertThat(first.scores[0]).isCloseTo(MLP_SCORES[0], within(1e-5f));
        assertThat(first.cached).isFalse();
        assertThat(steps(first)).containsExactly("fraud-mlp:1=SCORED");
        assertThat(repeat.scores[0]).isEqualTo(first.scores[0]);
        assertThat(repeat.cached).isTrue();
        assertThat(steps(repeat)).containsExactly("fraud-mlp:1=CACHED");
        assertThat(endpoint("fraud-mlp").cache().hitRatio()).isEqualTo(0.5);
    }

    @Test
    void uncertainScoresEscalateToTheLargeModel() throws Exception {
        RequestScorer always =
                scorer(settings(CacheConfig.off()), new Cascade("fraud-mlp", "fraud-gru", 0f, 1f));
        InferenceResult escalated = score(always, request(mlp(1), gru(1), null));
        assertThat(endedOn).isEqualTo("answers");

        assertThat(escalated.modelName).isEqualTo("fraud-gru");
        assertThat(escalated.scores[0]).isCloseTo(GRU_SCORES[1], within(1e-5f));
        assertThat(escalated.isFallback()).isFalse();
        assertThat(steps(escalated)).containsExactly("fraud-mlp:1=ESCALATED", "fraud-gru:1=SCORED");

        RequestScorer never =
                new RequestScorer(
                        endpoints,
                        new Cascade("fraud-mlp", "fraud-gru", 2f, 3f),
                        settings(CacheConfig.off()),
                        answers);
        InferenceResult confident = score(never, request(mlp(1), gru(1), null));
        assertThat(confident.modelName).isEqualTo("fraud-mlp");
        assertThat(confident.scores[0]).isCloseTo(MLP_SCORES[1], within(1e-5f));
        assertThat(steps(confident)).containsExactly("fraud-mlp:1=SCORED");
    }

    @Test
    void aModelFailureTakesTheFallbackModelThenTheConfiguredPolicy() throws Exception {
        RequestScorer scorer = scorer(settings(CacheConfig.off()), null);
        ModelInput bad = new ModelInput("fraud-gru", "1", new float[] {1f, 2f}); // wrong width

        InferenceResult fallenBack = score(scorer, request(bad, null, mlp(2)));
        assertThat(fallenBack.outcome).isEqualTo(InferenceResult.Outcome.SCORED);
        assertThat(fallenBack.modelName).isEqualTo("fraud-mlp");
        assertThat(fallenBack.scores[0]).isCloseTo(MLP_SCORES[2], within(1e-5f));
        assertThat(fallenBack.isFallback()).isTrue();
        assertThat(fallenBack.reason).isEqualTo("INFERENCE_FAILED");
        assertThat(steps(fallenBack)).containsExactly("fraud-gru:1=FAILED", "fraud-mlp:1=SCORED");

        InferenceResult deadLetter = score(scorer, request(bad, null, null));
        assertThat(deadLetter.outcome).isEqualTo(InferenceResult.Outcome.FAILED);
        assertThat(deadLetter.reason).isEqualTo("INFERENCE_FAILED");

        RequestScorer lenient =
                new RequestScorer(
                        endpoints,
                        null,
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.FALLBACK,
                                Duration.ZERO,
                                BreakerConfig.off()),
                        answers);
        InferenceResult defaulted = score(lenient, request(bad, null, null));
        assertThat(defaulted.outcome).isEqualTo(InferenceResult.Outcome.FALLBACK);
        assertThat(defaulted.scores).containsExactly(0.25f);
        assertThat(defaulted.reason).isEqualTo("INFERENCE_FAILED");
    }

    @Test
    void aSlowModelTimesOutToTheFallbackModel() throws Exception {
        batchingByModel.put("fraud-gru", STUCK);
        RequestScorer scorer =
                scorer(
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.DEAD_LETTER,
                                Duration.ofMillis(50),
                                BreakerConfig.off()),
                        null);

        InferenceResult result = score(scorer, request(gru(0), null, mlp(3)));

        assertThat(result.modelName).isEqualTo("fraud-mlp");
        assertThat(result.reason).isEqualTo("INFERENCE_TIMEOUT");
        assertThat(steps(result)).containsExactly("fraud-gru:1=TIMEOUT", "fraud-mlp:1=SCORED");
    }

    @Test
    void anOpenBreakerSkipsTheModelUntilItsCoolDownEnds() throws Exception {
        RequestScorer scorer =
                scorer(
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.FALLBACK,
                                Duration.ZERO,
                                new BreakerConfig(2, Duration.ofSeconds(30))),
                        null);
        ModelInput bad = new ModelInput("fraud-mlp", "1", new float[] {1f});
        score(scorer, request(bad, null, null));
        score(scorer, request(bad, null, null));
        long scoredBefore = endpoint("fraud-mlp").breaker().timesOpened();
        assertThat(scoredBefore).isEqualTo(1);

        InferenceResult skipped = score(scorer, request(mlp(4), null, null));
        assertThat(skipped.outcome).isEqualTo(InferenceResult.Outcome.FALLBACK);
        assertThat(skipped.reason).isEqualTo("CIRCUIT_OPEN");
        assertThat(steps(skipped)).containsExactly("fraud-mlp:1=CIRCUIT_OPEN");

        clock.advance(Duration.ofSeconds(30));
        InferenceResult trial = score(scorer, request(mlp(4), null, null));
        assertThat(trial.outcome).isEqualTo(InferenceResult.Outcome.SCORED);
        assertThat(trial.scores[0]).isCloseTo(MLP_SCORES[4], within(1e-5f));
        assertThat(endpoint("fraud-mlp").breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aVersionThatCannotBeLoadedIsUnavailableAndItsEventsFallBack() throws Exception {
        RequestScorer scorer = scorer(settings(CacheConfig.off()), null);
        ModelInput missing = new ModelInput("fraud-mlp", "99", MLP_ROWS[5]);

        InferenceResult result = score(scorer, request(missing, null, mlp(5)));

        assertThat(result.modelName).isEqualTo("fraud-mlp");
        assertThat(result.modelVersion).isEqualTo("1");
        assertThat(result.reason).isEqualTo("MODEL_UNAVAILABLE");
        assertThat(steps(result)).containsExactly("fraud-mlp:99=UNAVAILABLE", "fraud-mlp:1=SCORED");
    }

    private RequestScorer scorer(InferenceSettings settings, Cascade cascade) {
        Function<InferenceServices.Key, InferenceService> start =
                key ->
                        new InferenceService(
                                ModelLoader.load(
                                        ModelRepository.at(ReferenceModels.root())
                                                .resolve(key.model(), key.version()),
                                        LoadOptions.defaults()),
                                batchingByModel.getOrDefault(key.model(), IMMEDIATE),
                                settings.cache(),
                                settings.breaker(),
                                clock);
        residency = new ModelResidency(8, Duration.ofHours(1), clock, start);
        endpoints =
                new ModelEndpoints(
                        version ->
                                residency.serviceFor(
                                        new InferenceServices.Key(
                                                repository, version.model, version.version, "cpu")),
                        new UnregisteredMetricsGroup(),
                        clock,
                        Duration.ofSeconds(1));
        return new RequestScorer(endpoints, cascade, settings, answers);
    }

    private InferenceService endpoint(String model) {
        return endpoints.endpoint(new ModelInput(model, "1", null)).service();
    }

    private static InferenceSettings settings(CacheConfig cache) {
        return settings(cache, FailurePolicy.DEAD_LETTER, Duration.ZERO, BreakerConfig.off());
    }

    private static InferenceSettings settings(
            CacheConfig cache,
            FailurePolicy failures,
            Duration modelTimeout,
            BreakerConfig breaker) {
        return new InferenceSettings(
                "unused",
                "cpu",
                1,
                1,
                IMMEDIATE,
                TimeoutPolicy.FALLBACK,
                failures,
                0.25f,
                modelTimeout,
                cache,
                breaker,
                RegistrySettings.DEFAULTS);
    }

    /** The thread the latest {@link #score} ended on. */
    private volatile String endedOn;

    /**
     * Scores {@code request} from the answers thread, as the operator does from its mailbox thread,
     * which is also where the models' answers come back.
     */
    private InferenceResult score(RequestScorer scorer, InferenceRequest request) throws Exception {
        List<PathStep> path = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CompletableFuture<InferenceResult> result =
                new java.util.concurrent.CompletableFuture<>();
        RequestScorer.Done done =
                (scored, error) -> {
                    endedOn = Thread.currentThread().getName();
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(scored);
                    }
                };
        answers.execute(
                () -> {
                    try {
                        scorer.score(request, path, System.nanoTime(), done);
                    } catch (InterruptedException | RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
        return result.get(30, TimeUnit.SECONDS);
    }

    private static List<String> steps(InferenceResult result) {
        return java.util.Arrays.stream(result.path).map(PathStep::toString).toList();
    }

    private static ModelInput mlp(int row) {
        return new ModelInput("fraud-mlp", "1", MLP_ROWS[row]);
    }

    private static ModelInput gru(int row) {
        return new ModelInput("fraud-gru", "1", GRU_ROWS[row]);
    }

    private static InferenceRequest request(
            ModelInput primary, ModelInput escalation, ModelInput fallback) {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId("e-1")
                        .setSessionId("s-1")
                        .setEventType("click")
                        .setEventTime(Instant.ofEpochMilli(1_000))
                        .setFeatures(List.of(1f, 2f))
                        .build();
        InferenceRequest request = InferenceRequest.of(event, primary, 1, 0);
        request.escalation = escalation;
        request.fallback = fallback;
        return request;
    }
}
