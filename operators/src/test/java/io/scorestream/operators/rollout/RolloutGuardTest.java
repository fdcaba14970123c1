package io.scorestream.operators.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.ModelStep;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.StageLatency;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rollback guard in Flink's keyed broadcast harness; time is the predictions' scored time. */
class RolloutGuardTest {

    private static final String MODEL = "fraud-mlp";
    private static final RollbackPolicy POLICY =
            new RollbackPolicy(
                    true, Duration.ofMinutes(1), 100, 0.05, Duration.ofMillis(500), 0.25);
    private static final ModelRollout CANARY = rollout("r-1", 10);

    private KeyedBroadcastOperatorTestHarness<String, RoutedCall, ModelRollout, ModelRollout>
            harness;
    private int nextId;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void garbageScoresRollBackOnTheirPsiAgainstStable() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        harness.setProcessingTime(77_000);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(99, "2", 1_000, Kind.CONSTANT_SCORE);
        assertThat(harness.extractOutputValues()).as("99 candidate samples: no decision").isEmpty();

        feed(1, "2", 1_000, Kind.CONSTANT_SCORE);

        ModelRollout rollback = onlyRollback();
        assertThat(rollback.getModel()).isEqualTo(MODEL);
        assertThat(rollback.getStableVersion()).isEqualTo("1");
        assertThat(rollback.getCandidateVersion()).isEqualTo("2");
        assertThat(rollback.getCandidatePercent()).isZero();
        assertThat(rollback.getIssuedBy()).isEqualTo("auto-rollback");
        assertThat(rollback.getIssuedAt()).isEqualTo(Instant.ofEpochMilli(77_000));
        assertThat(rollback.getSupersedes()).isEqualTo("r-1");
        assertThat(rollback.getRolloutId())
                .isNotEqualTo("r-1")
                .isEqualTo(RolloutGuard.rollbackOf(CANARY, "any", 0).getRolloutId());
        assertThat(rollback.getReason())
                .startsWith("candidate 2 of fraud-mlp rolled back: score PSI ")
                .contains("> max 0.2500 (100 candidate against 100 stable scores)")
                .endsWith("window 1 min: 100 candidate and 100 stable predictions")
                .doesNotContain("error rate", "latency");
        assertThat(ControlRecords.problems(rollback)).isEmpty();
    }

    @Test
    void nanScoresAreGarbageToo() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(100, "2", 1_000, Kind.NAN_SCORE);

        assertThat(onlyRollback().getReason()).contains("score PSI");
    }

    @Test
    void errorsAboveTheMaximumRateRollBackAndOverBudgetFallbacksDoNotCount() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(50, "2", 1_000, Kind.OVER_BUDGET);
        feed(95, "2", 1_000, Kind.HEALTHY);
        feed(5, "2", 1_000, Kind.TIMEOUT);
        assertThat(harness.extractOutputValues())
                .as("5 of 100 is the maximum, not above it; over-budget ones are not errors")
                .isEmpty();

        feed(1, "2", 1_000, Kind.TIMEOUT);

        assertThat(onlyRollback().getReason())
                .contains(
                        "error rate 0.0594 > max 0.0500 (6 of 101 candidate predictions were"
                                + " fallbacks)")
                .doesNotContain("PSI", "latency");
    }

    @Test
    void aSlowCandidateRollsBackOnItsP99() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(99, "2", 1_000, Kind.HEALTHY);
        feed(1, "2", 1_000, Kind.SLOW);
        assertThat(harness.extractOutputValues()).as("1 slow in 100: p99 is within").isEmpty();

        feed(1, "2", 1_000, Kind.SLOW);

        assertThat(onlyRollback().getReason())
                .contains(
                        "p99 inference latency 741.5-881.7 ms > max 500 ms (2 of 101 candidate"
                                + " latencies above the max)");
    }

    @Test
    void aHealthyCandidateIsNotRolledBack() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        // Two minutes of traffic: per window about 1.4 % errors and one slow prediction in ~240.
        for (int second = 0; second < 120; second++) {
            long time = 1_000 + second * 1_000L;
            feed(20, "1", time, Kind.HEALTHY);
            feed(4, "2", time, Kind.HEALTHY);
            if (second % 20 == 0) {
                feed(1, "2", time, Kind.TIMEOUT);
            }
            if (second % 60 == 30) {
                feed(1, "2", time, Kind.SLOW);
            }
        }
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(keysWithState("window")).as("still watching").isEqualTo(1);
    }

    @Test
    void withTooFewSamplesOnEitherSideThereIsNoDecision() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(99, "1", 1_000, Kind.HEALTHY);
        feed(500, "2", 1_000, Kind.TIMEOUT);
        feed(500, "2", 1_000, Kind.NAN_SCORE);
        assertThat(harness.extractOutputValues()).as("99 stable samples").isEmpty();

        feed(1, "1", 1_000, Kind.HEALTHY);
        assertThat(onlyRollback()).isNotNull();
    }

    @Test
    void samplesOlderThanTheWindowAreForgotten() throws Exception {
        // 50 candidate errors at 1 s, then 100 healthy predictions a window later: the errors are
        // gone by then (50 of 150 would be far above 5 %).
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(50, "2", 1_000, Kind.TIMEOUT);
        feed(100, "1", 61_000, Kind.HEALTHY);
        feed(100, "2", 61_000, Kind.HEALTHY);
        feed(10, "2", 1_000, Kind.TIMEOUT); // late: older than the window, ignored
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.close();

        // The same errors within the window are remembered.
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(50, "2", 1_000, Kind.TIMEOUT);
        feed(100, "2", 54_000, Kind.HEALTHY);
        assertThat(onlyRollback().getReason()).contains("(50 of 100 candidate predictions");
    }

    @Test
    void decidesOncePerRolloutAndFollowsTheRolloutInForce() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(100, "2", 1_000, Kind.TIMEOUT);
        // Until the rollback comes back as the rollout in force, the candidate still gets traffic.
        feed(200, "1", 1_500, Kind.HEALTHY);
        feed(200, "2", 1_500, Kind.TIMEOUT);
        ModelRollout rollback = onlyRollback();

        // The rollback comes back from the control topic and ends the trial: state is cleared.
        harness.processBroadcastElement(rollback, 0);
        feed(1, "1", 2_000, Kind.HEALTHY);
        assertThat(keysWithState("window")).isZero();
        assertThat(keysWithState("decided-rollout")).isZero();

        // A person tries again; the guard's duplicate rollback, delivered late, must not undo it.
        ModelRollout retry = rollout("r-3", 5);
        harness.processBroadcastElement(retry, 0);
        harness.processBroadcastElement(rollback, 0);
        assertThat(harness.getBroadcastState(RolloutState.DESCRIPTOR).get(MODEL)).isEqualTo(retry);

        feed(100, "1", 3_000, Kind.HEALTHY);
        feed(100, "2", 3_000, Kind.TIMEOUT);
        assertThat(harness.extractOutputValues())
                .extracting(ModelRollout::getSupersedes)
                .containsExactly("r-1", "r-3");
    }

    @Test
    void aFailedRoutedCallIsAnErrorOfItsVersionWhoeverAnsweredInTheEnd() throws Exception {
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(97, "2", 1_000, Kind.HEALTHY);
        feed(2, "2", 1_000, Kind.MODEL_FAILED);
        feed(1, "2", 1_000, Kind.FALLBACK_MODEL); // keyed by fraud-mlp, not by intent-gru
        assertThat(harness.extractOutputValues()).isEmpty();

        feed(3, "2", 1_000, Kind.FALLBACK_MODEL);

        assertThat(onlyRollback().getReason())
                .contains("error rate 0.0583 > max 0.0500 (6 of 103 candidate predictions");
    }

    @Test
    void cascadeAndCacheAnswersAreNotTheRoutedVersionsScoreOrLatency() throws Exception {
        // The large model's garbage scores and slow calls, and the cache's timings, are not the
        // candidate's: without samples of its own, only its (zero) error rate is judged.
        harness = open(POLICY);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(150, "2", 1_000, Kind.ESCALATED);
        feed(150, "2", 1_000, Kind.CACHED);

        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void predictionsOutsideARolloutAreNotWatched() throws Exception {
        harness = open(POLICY);
        feed(200, "1", 1_000, Kind.HEALTHY);
        feed(200, "2", 1_000, Kind.TIMEOUT);
        harness.processBroadcastElement(rollout("r-5", 0), 0);
        feed(200, "2", 1_000, Kind.TIMEOUT);
        harness.processBroadcastElement(CANARY, 0);
        feed(200, "1", 1_000, Kind.HEALTHY);
        feed(200, "3", 1_000, Kind.TIMEOUT); // a version this rollout is not about

        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void aDisabledGuardFollowsTheRolloutButNeverRollsBack() throws Exception {
        harness =
                open(
                        new RollbackPolicy(
                                false, Duration.ofMinutes(1), 100, 0.05, Duration.ofSeconds(1), 1));
        harness.processBroadcastElement(CANARY, 0);
        feed(200, "1", 1_000, Kind.HEALTHY);
        feed(200, "2", 1_000, Kind.TIMEOUT);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getBroadcastState(RolloutState.DESCRIPTOR).get(MODEL)).isEqualTo(CANARY);
    }

    @Test
    void theWindowAndTheRolloutSurviveSnapshotAndRestoreOnRocksDb() throws Exception {
        harness = open(POLICY, new EmbeddedRocksDBStateBackend(), null);
        harness.processBroadcastElement(CANARY, 0);
        feed(100, "1", 1_000, Kind.HEALTHY);
        feed(60, "2", 1_000, Kind.TIMEOUT);
        OperatorSubtaskState snapshot = harness.snapshot(1, 2_000);
        harness.close();

        harness = open(POLICY, new EmbeddedRocksDBStateBackend(), snapshot);
        assertThat(harness.getBroadcastState(RolloutState.DESCRIPTOR).get(MODEL)).isEqualTo(CANARY);
        feed(40, "2", 2_000, Kind.TIMEOUT);

        assertThat(onlyRollback().getReason()).contains("(100 of 100 candidate predictions");
    }

    @Test
    void aRolloutTheJobRefusesLeavesTheCanaryInForceWatched() throws Exception {
        // The featurizer refuses version 3 (say its files fail their checksums) and the canary
        // keeps serving version 2: the guard must keep judging version 2, and its rollback must
        // replace the canary, the rollout the featurizer has in force.
        RolloutAdmission noVersion3 =
                rollout ->
                        "3".equals(rollout.getCandidateVersion())
                                ? Optional.of("model fraud-mlp v3: checksum mismatch")
                                : Optional.empty();
        try (MeteredGuardHarness metered = MeteredGuardHarness.open(POLICY, noVersion3)) {
            metered.control(CANARY);
            ModelRollout refused =
                    ModelRollout.newBuilder(rollout("r-2", 50)).setCandidateVersion("3").build();
            metered.control(refused);
            for (int i = 0; i < 100; i++) {
                metered.prediction(prediction("1", 1_000, Kind.HEALTHY));
                metered.prediction(prediction("2", 1_000, Kind.TIMEOUT));
            }

            assertThat(counter(metered, "rolloutsRefused")).isEqualTo(1);
            assertThat(counter(metered, "rolloutsApplied")).isEqualTo(1);
            assertThat(metered.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            rollback -> {
                                assertThat(rollback.getSupersedes()).isEqualTo("r-1");
                                assertThat(rollback.getCandidateVersion()).isEqualTo("2");
                                assertThat(rollback.getReason()).contains("error rate");
                            });
        }
    }

    @Test
    void countsRollbacksAndIgnoresInvalidControlRecords() throws Exception {
        try (MeteredGuardHarness metered = MeteredGuardHarness.open(POLICY)) {
            metered.control(rollout("r-bad", 101));
            metered.control(CANARY);
            for (int i = 0; i < 100; i++) {
                metered.prediction(prediction("1", 1_000, Kind.HEALTHY));
                metered.prediction(prediction("2", 1_000, Kind.TIMEOUT));
            }

            assertThat(counter(metered, "rollbacks")).isEqualTo(1);
            assertThat(counter(metered, "rolloutsInvalid")).isEqualTo(1);
            assertThat(counter(metered, "rolloutsApplied")).isEqualTo(1);
            assertThat(counter(metered, "rolloutsStale")).isZero();
            assertThat(metered.extractOutputValues()).hasSize(1);
        }
    }

    // ---------------------------------------------------------------------------------------

    /** What a fed prediction looks like. */
    private enum Kind {
        /** The routed version answered: score spread over [0, 1), 2 ms. */
        HEALTHY,
        /** The routed version answered 0.97 every time. */
        CONSTANT_SCORE,
        /** The routed version answered NaN. */
        NAN_SCORE,
        /** The routed version answered, in 800 ms. */
        SLOW,
        /** The async timeout gave the default score before any call ended: no path. */
        TIMEOUT,
        /** The routed version failed; the default score. */
        MODEL_FAILED,
        /** The routed version failed; a fallback model (intent-gru:1) answered. */
        FALLBACK_MODEL,
        /** The routed version escalated; a large model answered 0.97 in 800 ms. */
        ESCALATED,
        /** The answer of the routed version came from the cache (its latency: 800 ms). */
        CACHED,
        /** Over the user's budget: no model called. */
        OVER_BUDGET
    }

    private void feed(int count, String version, long scoredMillis, Kind kind) throws Exception {
        for (int i = 0; i < count; i++) {
            var call = RoutedCall.of(prediction(version, scoredMillis, kind));
            if (call.isPresent()) { // over-budget predictions never reach the guard
                harness.processElement(call.get(), scoredMillis);
            }
        }
    }

    private Prediction prediction(String version, long scoredMillis, Kind kind) {
        int id = nextId++;
        float spread = ((id * 37) % 100) / 100f + 0.005f; // evenly over [0, 1)
        ModelStep routed = new ModelStep(MODEL, version, "SCORED");
        Prediction.Builder prediction =
                Prediction.newBuilder()
                        .setEventId("e-" + id)
                        .setSessionId("s-" + id)
                        .setEventType("click")
                        .setModelName(MODEL)
                        .setModelVersion(version)
                        .setEventTime(Instant.ofEpochMilli(scoredMillis - 5))
                        .setScoredTime(Instant.ofEpochMilli(scoredMillis))
                        .setSessionEventCount(1)
                        .setRolloutId("r-1");
        float score = spread;
        long micros = 2_000;
        switch (kind) {
            case HEALTHY -> prediction.setPath(List.of(routed));
            case CONSTANT_SCORE -> {
                score = 0.97f;
                prediction.setPath(List.of(routed));
            }
            case NAN_SCORE -> {
                score = Float.NaN;
                prediction.setPath(List.of(routed));
            }
            case SLOW -> {
                micros = 800_000;
                prediction.setPath(List.of(routed));
            }
            case TIMEOUT -> {
                score = 0f;
                prediction.setFallback(true).setFallbackReason("INFERENCE_TIMEOUT");
            }
            case MODEL_FAILED -> {
                score = 0f;
                prediction
                        .setFallback(true)
                        .setFallbackReason("INFERENCE_FAILED")
                        .setPath(List.of(new ModelStep(MODEL, version, "FAILED")));
            }
            case FALLBACK_MODEL ->
                    prediction
                            .setModelName("intent-gru")
                            .setModelVersion("1")
                            .setFallback(true)
                            .setFallbackReason("INFERENCE_FAILED")
                            .setPath(
                                    List.of(
                                            new ModelStep(MODEL, version, "FAILED"),
                                            new ModelStep("intent-gru", "1", "SCORED")));
            case ESCALATED -> {
                score = 0.97f;
                micros = 800_000;
                prediction
                        .setModelName("fraud-large")
                        .setModelVersion("1")
                        .setPath(
                                List.of(
                                        new ModelStep(MODEL, version, "ESCALATED"),
                                        new ModelStep("fraud-large", "1", "SCORED")));
            }
            case CACHED -> {
                micros = 800_000;
                prediction
                        .setCached(true)
                        .setPath(List.of(new ModelStep(MODEL, version, "CACHED")));
            }
            case OVER_BUDGET -> {
                score = 0f;
                prediction.setFallback(true).setFallbackReason("OVER_BUDGET").setOverBudget(true);
            }
        }
        return prediction
                .setScore(score)
                .setScores(List.of(score))
                .setLatency(
                        StageLatency.newBuilder()
                                .setFeaturizeMicros(10)
                                .setQueueWaitMicros(100)
                                .setComputeMicros(300)
                                .setInferenceMicros(micros)
                                .setBatchSize(16)
                                .setEndToEndMillis(5)
                                .build())
                .build();
    }

    static ModelRollout rollout(String id, int percent) {
        return ModelRollout.newBuilder()
                .setRolloutId(id)
                .setModel(MODEL)
                .setStableVersion("1")
                .setCandidateVersion("2")
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.EPOCH)
                .setIssuedBy("cli")
                .build();
    }

    private ModelRollout onlyRollback() {
        List<ModelRollout> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private long keysWithState(String state) throws Exception {
        return harness.getOperator()
                .getKeyedStateBackend()
                .getKeys(state, VoidNamespace.INSTANCE)
                .count();
    }

    private static long counter(MeteredGuardHarness harness, String name) {
        return ((Counter) harness.metric(name)).getCount();
    }

    private static KeyedBroadcastOperatorTestHarness<String, RoutedCall, ModelRollout, ModelRollout>
            open(RollbackPolicy policy) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new RolloutGuard(policy),
                (RoutedCall call) -> call.model(),
                Types.STRING,
                RolloutState.DESCRIPTOR);
    }

    private static KeyedBroadcastOperatorTestHarness<String, RoutedCall, ModelRollout, ModelRollout>
            open(RollbackPolicy policy, StateBackend backend, OperatorSubtaskState restoreFrom)
                    throws Exception {
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new RolloutGuard(policy), List.of(RolloutState.DESCRIPTOR)),
                        (RoutedCall call) -> call.model(),
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }
}
