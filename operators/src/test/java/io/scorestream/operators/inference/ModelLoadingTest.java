package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.model.ModelLoadException;
import io.scorestream.operators.inference.InferenceResult.Outcome;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model version that is still loading, as the operator instances of one TaskManager see it: the
 * load runs on a loader thread, so neither the operator that asked nor the others wait for it, and
 * the request that needs the version goes on once it has loaded (or failed to).
 */
class ModelLoadingTest {

    private static final float[][] ROWS = ReferenceModels.goldenInputs("fraud-mlp", "1");
    private static final BatchingConfig IMMEDIATE = new BatchingConfig(8, Duration.ZERO, 64, 1);

    private final ManualClock clock = new ManualClock();
    private final String repository = "loading-" + UUID.randomUUID();

    /** Holds the load of fraud-mlp v2 until opened. */
    private final CountDownLatch slowLoad = new CountDownLatch(1);

    /** v1 loads at once, v2 when {@link #slowLoad} opens, v9 fails to load. */
    private final Function<InferenceServices.Key, InferenceService> start =
            key -> {
                if (key.version().equals("9")) {
                    throw new ModelLoadException("fraud-mlp v9 is corrupt");
                }
                if (key.version().equals("2")) {
                    await(slowLoad);
                }
                return new InferenceService(
                        new ScriptedModel(key.model(), key.version(), ScriptedModel.ECHO),
                        IMMEDIATE,
                        CacheConfig.off(),
                        BreakerConfig.off(),
                        clock);
            };

    private final ScoringOperator first = operator("first");
    private final ScoringOperator second = operator("second");
    private final ScoringOperator third = operator("third");

    @AfterEach
    void close() {
        slowLoad.countDown();
        for (ScoringOperator operator : List.of(first, second, third)) {
            operator.close();
        }
    }

    @Test
    void aSlowLoadHoldsNeitherTheOperatorThatAskedNorTheOthers() throws Exception {
        second.load("fraud-mlp", "1");
        RequestScorer scorer = first.scorer(settings(Duration.ZERO), null);

        CompletableFuture<InferenceResult> waiting =
                first.score(scorer, request(input("2", 0), null), InferenceService.NO_DEADLINE);
        first.drained(); // its thread is free at once, the load going on elsewhere

        assertThat(waiting).isNotDone();
        assertThat(first.endpoint("fraud-mlp", "2").loading()).isNotNull();
        InferenceResult meanwhile =
                third.score(
                                third.scorer(settings(Duration.ZERO), null),
                                request(input("1", 1), null),
                                InferenceService.NO_DEADLINE)
                        .get(10, TimeUnit.SECONDS);
        assertThat(meanwhile.outcome)
                .as("another operator joins the running version while v2 loads")
                .isEqualTo(Outcome.SCORED);
        assertThat(waiting).isNotDone();

        slowLoad.countDown();

        InferenceResult loaded = waiting.get(30, TimeUnit.SECONDS);
        assertThat(loaded.outcome).isEqualTo(Outcome.SCORED);
        assertThat(loaded.scores).containsExactly(ROWS[0][0]);
        assertThat(steps(loaded)).containsExactly("fraud-mlp:2=SCORED");
        assertThat(first.endedOn)
                .as("the request went on from its operator's thread")
                .isEqualTo("first");
        assertThat(first.endpoint("fraud-mlp", "2").metrics().loadWaits()).isEqualTo(1);
        assertThat(InferenceServices.starts(first.key("fraud-mlp", "2"))).isEqualTo(1);
    }

    @Test
    void aFailedLoadTakesTheUnavailablePathAndIsTriedAgainAfterThePause() throws Exception {
        RequestScorer scorer = first.scorer(settings(Duration.ZERO), null);
        InferenceServices.Key corrupt = first.key("fraud-mlp", "9");

        InferenceResult result = score(scorer, request(input("9", 2), input("1", 2)));

        assertThat(result.modelVersion).isEqualTo("1");
        assertThat(result.reason).isEqualTo("MODEL_UNAVAILABLE");
        assertThat(steps(result)).containsExactly("fraud-mlp:9=UNAVAILABLE", "fraud-mlp:1=SCORED");
        assertThat(InferenceServices.resident())
                .as("a failed load holds no place")
                .doesNotContainKey(corrupt);

        score(scorer, request(input("9", 3), input("1", 3)));
        assertThat(InferenceServices.starts(corrupt)).as("within the pause").isEqualTo(1);

        clock.advance(Duration.ofNanos(ModelEndpoints.RETRY_UNAVAILABLE_NANOS));
        InferenceResult retried = score(scorer, request(input("9", 4), input("1", 4)));
        assertThat(steps(retried)).containsExactly("fraud-mlp:9=UNAVAILABLE", "fraud-mlp:1=SCORED");
        assertThat(InferenceServices.starts(corrupt)).isEqualTo(2);
    }

    @Test
    void theModelTimeoutBoundsTheWaitForALoad() throws Exception {
        first.load("fraud-mlp", "1");
        RequestScorer scorer = first.scorer(settings(Duration.ofMillis(50)), null);

        InferenceResult result = score(scorer, request(input("2", 5), input("1", 5)));

        assertThat(result.modelVersion).isEqualTo("1");
        assertThat(result.reason).isEqualTo("INFERENCE_TIMEOUT");
        assertThat(steps(result)).containsExactly("fraud-mlp:2=TIMEOUT", "fraud-mlp:1=SCORED");
    }

    // ---------------------------------------------------------------------------------------

    private ScoringOperator operator(String name) {
        return new ScoringOperator(name, repository, clock, start);
    }

    private InferenceResult score(RequestScorer scorer, InferenceRequest request) throws Exception {
        return first.score(scorer, request, InferenceService.NO_DEADLINE).get(30, TimeUnit.SECONDS);
    }

    private static InferenceSettings settings(Duration modelTimeout) {
        return TestSettings.settings(
                "unused",
                IMMEDIATE,
                CacheConfig.off(),
                FailurePolicy.DEAD_LETTER,
                modelTimeout,
                BreakerConfig.off());
    }

    private static ModelInput input(String version, int row) {
        return new ModelInput("fraud-mlp", version, ROWS[row]);
    }

    private static InferenceRequest request(ModelInput primary, ModelInput fallback) {
        return ScoringOperator.request(primary, null, fallback);
    }

    private static List<String> steps(InferenceResult result) {
        return Arrays.stream(result.path).map(PathStep::toString).toList();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the load finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
