package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.InvalidModelInputException;
import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelExecutionException;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.inference.InferenceResult.Outcome;
import io.scorestream.operators.routing.Cascade;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
    private final Map<String, ScriptedModel> fakes = new java.util.HashMap<>();
    private static final long SECOND = 1_000_000_000L;

    /** The operator instance under test; its mailbox thread is named "answers". */
    private ScoringOperator operator;

    @AfterEach
    void close() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void theRoutedModelScoresAndTheCacheAnswersARepeat() throws Exception {
        RequestScorer scorer =
                scorer(
                        settings(new CacheConfig(100, Duration.ofMinutes(1), java.util.Set.of())),
                        null);

        InferenceResult first = score(scorer, request(mlp(0), null, null));
        assertThat(operator.endedOn)
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
        assertThat(operator.endedOn).isEqualTo("answers");

        assertThat(escalated.modelName).isEqualTo("fraud-gru");
        assertThat(escalated.scores[0]).isCloseTo(GRU_SCORES[1], within(1e-5f));
        assertThat(escalated.isFallback()).isFalse();
        assertThat(steps(escalated)).containsExactly("fraud-mlp:1=ESCALATED", "fraud-gru:1=SCORED");

        RequestScorer never =
                operator.scorer(
                        settings(CacheConfig.off()), new Cascade("fraud-mlp", "fraud-gru", 2f, 3f));
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
                operator.scorer(
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.FALLBACK,
                                Duration.ZERO,
                                BreakerConfig.off()),
                        null);
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
        operator.load("fraud-gru", "1");
        operator.load("fraud-mlp", "1");

        InferenceResult result = score(scorer, request(gru(0), null, mlp(3)));

        assertThat(result.modelName).isEqualTo("fraud-mlp");
        assertThat(result.reason).isEqualTo("INFERENCE_TIMEOUT");
        assertThat(steps(result)).containsExactly("fraud-gru:1=TIMEOUT", "fraud-mlp:1=SCORED");
    }

    @Test
    void aModelThatFailsEveryBatchOpensItsBreakerUntilACoolDownAndATrial() throws Exception {
        ScriptedModel model = fake("fraud-mlp", ScriptedModel.BROKEN);
        RequestScorer scorer =
                scorer(
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.FALLBACK,
                                Duration.ZERO,
                                new BreakerConfig(2, Duration.ofSeconds(30))),
                        null);
        score(scorer, request(mlp(4), null, null));
        score(scorer, request(mlp(4), null, null));
        assertThat(endpoint("fraud-mlp").breaker().timesOpened()).isEqualTo(1);
        assertThat(metrics("fraud-mlp").failures()).isEqualTo(2);

        InferenceResult skipped = score(scorer, request(mlp(4), null, null));
        assertThat(skipped.outcome).isEqualTo(InferenceResult.Outcome.FALLBACK);
        assertThat(skipped.reason).isEqualTo("CIRCUIT_OPEN");
        assertThat(steps(skipped)).containsExactly("fraud-mlp:1=CIRCUIT_OPEN");

        model.script(ScriptedModel.ECHO);
        clock.advance(Duration.ofSeconds(30));
        InferenceResult trial = score(scorer, request(mlp(4), null, null));
        assertThat(trial.outcome).isEqualTo(InferenceResult.Outcome.SCORED);
        assertThat(trial.scores).containsExactly(MLP_ROWS[4][0]);
        assertThat(endpoint("fraud-mlp").breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aBurstOfBadRowsAmongGoodOnesFailsThemAloneAndLeavesTheBreakerClosed() throws Exception {
        ScriptedModel model = fake("fraud-mlp", ScriptedModel.FAILS_ON_NAN);
        RequestScorer scorer = scorer(breakingAfter(2), null);
        model.closeGate();
        CompletableFuture<InferenceResult> first = scoreAsync(scorer, request(mlp(0), null, null));
        model.awaitCallAtGate(); // what follows queues up behind it, into one batch
        List<CompletableFuture<InferenceResult>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(scoreAsync(scorer, request(i % 2 == 0 ? nan() : mlp(i), null, null)));
        }
        queued();
        model.openGate();

        assertThat(first.get(30, TimeUnit.SECONDS).outcome)
                .isEqualTo(InferenceResult.Outcome.SCORED);
        for (int i = 0; i < 8; i++) {
            InferenceResult result = burst.get(i).get(30, TimeUnit.SECONDS);
            if (i % 2 == 0) {
                assertThat(result.outcome).as("bad row %d", i).isEqualTo(Outcome.FAILED);
                assertThat(result.reason).isEqualTo("INFERENCE_FAILED");
                assertThat(result.errorClass).isEqualTo(ModelExecutionException.class.getName());
                assertThat(steps(result)).containsExactly("fraud-mlp:1=FAILED");
            } else {
                assertThat(result.outcome).as("good row %d", i).isEqualTo(Outcome.SCORED);
                assertThat(result.scores).containsExactly(MLP_ROWS[i][0]);
            }
        }
        assertThat(endpoint("fraud-mlp").breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(endpoint("fraud-mlp").breaker().timesOpened()).isZero();
        assertThat(metrics("fraud-mlp").inputFailures()).isEqualTo(4);
        assertThat(metrics("fraud-mlp").failures()).isZero();
    }

    @Test
    void rowsThatDoNotFitTheModelNeverOpenItsBreaker() throws Exception {
        RequestScorer scorer = scorer(breakingAfter(2), null);
        ModelInput bad = new ModelInput("fraud-mlp", "1", new float[] {1f}); // wrong width

        for (int i = 0; i < 5; i++) {
            InferenceResult result = score(scorer, request(bad, null, null));
            assertThat(result.outcome).isEqualTo(Outcome.FAILED);
            assertThat(result.errorClass).isEqualTo(InvalidModelInputException.class.getName());
        }

        assertThat(endpoint("fraud-mlp").breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(metrics("fraud-mlp").inputFailures()).isEqualTo(5);
        assertThat(score(scorer, request(mlp(1), null, null)).scores[0])
                .isCloseTo(MLP_SCORES[1], within(1e-5f));
    }

    @Test
    void requestsWhoseDeadlinePassedBeforeTheModelCallAreDroppedAndCounted() throws Exception {
        ScriptedModel model = fake("fraud-mlp", ScriptedModel.ECHO);
        RequestScorer scorer = scorer(breakingAfter(1), null);
        model.closeGate();
        CompletableFuture<InferenceResult> first = scoreAsync(scorer, request(mlp(0), null, null));
        model.awaitCallAtGate();
        long now = clock.nanoTime();
        CompletableFuture<InferenceResult> expiresQueued =
                scoreAsync(scorer, request(mlp(1), null, null), now + SECOND);
        CompletableFuture<InferenceResult> inTime =
                scoreAsync(scorer, request(mlp(2), null, null), now + 10 * SECOND);
        queued();
        clock.advance(Duration.ofSeconds(2));
        CompletableFuture<InferenceResult> expiredBeforeTheCall =
                scoreAsync(scorer, request(mlp(3), null, null), now + SECOND);
        queued();
        model.openGate();

        assertThat(first.get(30, TimeUnit.SECONDS).scores).containsExactly(MLP_ROWS[0][0]);
        assertThat(inTime.get(30, TimeUnit.SECONDS).scores).containsExactly(MLP_ROWS[2][0]);
        for (CompletableFuture<InferenceResult> late :
                List.of(expiresQueued, expiredBeforeTheCall)) {
            InferenceResult result = late.get(30, TimeUnit.SECONDS);
            assertThat(result.outcome).isEqualTo(Outcome.FALLBACK);
            assertThat(result.reason).isEqualTo("INFERENCE_TIMEOUT");
            assertThat(steps(result)).containsExactly("fraud-mlp:1=TIMEOUT");
        }
        assertThat(model.seen()).containsExactly(MLP_ROWS[0], MLP_ROWS[2]);
        assertThat(metrics("fraud-mlp").shedRows()).isEqualTo(2);
        assertThat(metrics("fraud-mlp").timeouts()).isEqualTo(2);
        assertThat(endpoint("fraud-mlp").breaker().state())
                .as("a caller's timeout says nothing of the model")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aRowWhoseModelTimeoutFiredIsNotScoredWhenItsTurnComes() throws Exception {
        ScriptedModel model = fake("fraud-mlp", ScriptedModel.ECHO);
        RequestScorer scorer =
                scorer(
                        settings(
                                CacheConfig.off(),
                                FailurePolicy.DEAD_LETTER,
                                Duration.ofMillis(50),
                                BreakerConfig.off()),
                        null);
        operator.load("fraud-mlp", "1");
        model.closeGate();
        CompletableFuture<InferenceResult> first = scoreAsync(scorer, request(mlp(0), null, null));
        model.awaitCallAtGate();

        InferenceResult timedOut = score(scorer, request(mlp(1), null, null));
        assertThat(steps(timedOut)).containsExactly("fraud-mlp:1=TIMEOUT");
        InferenceService service = endpoint("fraud-mlp");
        model.openGate();
        first.get(30, TimeUnit.SECONDS);
        operator.residency.close(); // the worker finishes the queue, then stops
        queued();

        assertThat(model.seen()).containsExactly(MLP_ROWS[0]);
        assertThat(service.shedRows()).isEqualTo(1);
        assertThat(metrics("fraud-mlp").shedRows()).isEqualTo(1);
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

    /** Serves {@code model} v1 with a hand-written model running {@code script}. */
    private ScriptedModel fake(String model, ScriptedModel.Script script) {
        ScriptedModel fake = new ScriptedModel(model, "1", script);
        fakes.put(model, fake);
        return fake;
    }

    private RequestScorer scorer(InferenceSettings settings, Cascade cascade) {
        Function<InferenceServices.Key, InferenceService> start =
                key ->
                        new InferenceService(
                                fakes.containsKey(key.model())
                                        ? fakes.get(key.model())
                                        : BatchModel.of(
                                                ModelLoader.load(
                                                        ModelRepository.at(ReferenceModels.root())
                                                                .resolve(
                                                                        key.model(), key.version()),
                                                        LoadOptions.defaults())),
                                batchingByModel.getOrDefault(key.model(), IMMEDIATE),
                                settings.cache(),
                                settings.breaker(),
                                clock);
        operator = new ScoringOperator("answers", repository, clock, start);
        return operator.scorer(settings, cascade);
    }

    private InferenceService endpoint(String model) {
        return operator.endpoint(model, "1").service();
    }

    private InferenceMetrics metrics(String model) {
        return operator.endpoint(model, "1").metrics();
    }

    /** Failures dead-lettered, timeouts to the default score, a breaker after {@code failures}. */
    private static InferenceSettings breakingAfter(int failures) {
        return settings(
                CacheConfig.off(),
                FailurePolicy.DEAD_LETTER,
                Duration.ZERO,
                new BreakerConfig(failures, Duration.ofSeconds(30)));
    }

    private static InferenceSettings settings(CacheConfig cache) {
        return settings(cache, FailurePolicy.DEAD_LETTER, Duration.ZERO, BreakerConfig.off());
    }

    private static InferenceSettings settings(
            CacheConfig cache,
            FailurePolicy failures,
            Duration modelTimeout,
            BreakerConfig breaker) {
        return TestSettings.settings("unused", IMMEDIATE, cache, failures, modelTimeout, breaker);
    }

    /**
     * Scores {@code request} from the answers thread, as the operator does from its mailbox thread,
     * which is also where the models' answers come back.
     */
    private InferenceResult score(RequestScorer scorer, InferenceRequest request) throws Exception {
        return scoreAsync(scorer, request).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<InferenceResult> scoreAsync(
            RequestScorer scorer, InferenceRequest request) {
        return operator.score(scorer, request, InferenceService.NO_DEADLINE);
    }

    private CompletableFuture<InferenceResult> scoreAsync(
            RequestScorer scorer, InferenceRequest request, long deadlineNanos) {
        return operator.score(scorer, request, deadlineNanos);
    }

    /** Waits until the answers thread has run what was handed to it so far. */
    private void queued() throws Exception {
        operator.drained();
    }

    private static List<String> steps(InferenceResult result) {
        return java.util.Arrays.stream(result.path).map(PathStep::toString).toList();
    }

    private static ModelInput mlp(int row) {
        return new ModelInput("fraud-mlp", "1", MLP_ROWS[row]);
    }

    /** A fraud-mlp input the scripted model fails on. */
    private static ModelInput nan() {
        float[] row = MLP_ROWS[0].clone();
        row[0] = Float.NaN;
        return new ModelInput("fraud-mlp", "1", row);
    }

    private static ModelInput gru(int row) {
        return new ModelInput("fraud-gru", "1", GRU_ROWS[row]);
    }

    private static InferenceRequest request(
            ModelInput primary, ModelInput escalation, ModelInput fallback) {
        return ScoringOperator.request(primary, escalation, fallback);
    }
}
