package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bundles through Flink's async operator and the real GRU: answers, and the async timeout. */
class InferenceFunctionTest {

    private static final float[][] GRU_ROWS = ReferenceModels.goldenInputs("intent-gru", "1");
    private static final float[] GRU_SCORES = ReferenceModels.goldenScores("intent-gru", "1");
    private static final ModelTarget GRU =
            new ModelTarget("intent-gru", "1", FeatureLayout.SESSION_SEQUENCE, 16, 160);

    private static final long TIMEOUT_MILLIS = 60_000;

    private OneInputStreamOperatorTestHarness<RequestBundle, InferenceResult> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void everyRequestOfABundleIsScoredAndTheBundleIsHandedBackWhole() throws Exception {
        open(new BatchingConfig(4, Duration.ZERO, 64, 1));
        int rows = Math.min(GRU_ROWS.length, 6);
        harness.processElement(bundle(0, 3), 1);
        harness.processElement(bundle(3, rows), 2);
        harness.endInput();

        Map<String, InferenceResult> byEvent = new HashMap<>();
        harness.extractOutputValues().forEach(r -> byEvent.put(r.request.eventId, r));
        assertThat(byEvent).hasSize(rows);
        for (int i = 0; i < rows; i++) {
            InferenceResult result = byEvent.get("e" + i);
            assertThat(result.outcome).isEqualTo(InferenceResult.Outcome.SCORED);
            assertThat(result.scores[0]).isCloseTo(GRU_SCORES[i], within(1e-5f));
        }
    }

    @Test
    void onTheAsyncTimeoutUnansweredRequestsGetTheFallbackScoreAndTheJobGoesOn() throws Exception {
        // Batches of 64 that wait ten minutes to fill: these requests never reach the model.
        open(new BatchingConfig(64, Duration.ofMinutes(10), 64, 1));
        harness.processElement(bundle(0, 2), 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(TIMEOUT_MILLIS + 1);
        harness.endInput(); // runs the timeout's hand-back, which Flink puts in the mailbox

        assertThat(harness.extractOutputValues())
                .hasSize(2)
                .allSatisfy(
                        result -> {
                            assertThat(result.outcome).isEqualTo(InferenceResult.Outcome.FALLBACK);
                            assertThat(result.reason)
                                    .isEqualTo(DeadLetterReason.INFERENCE_TIMEOUT.name());
                            assertThat(result.scores[0]).isEqualTo(0.25f);
                        });
    }

    @Test
    void requestsOfABundleThatTimedOutAreDroppedBeforeTheModelAndTheJobGoesOn() throws Exception {
        ManualClock clock = new ManualClock();
        // Batches of four that wait ten minutes to fill: two bundles of two make one.
        open(new BatchingConfig(4, Duration.ofMinutes(10), 64, 1), clock);
        harness.processElement(bundle(0, 2), 1);
        clock.advance(Duration.ofMillis(TIMEOUT_MILLIS + 1));
        harness.setProcessingTime(TIMEOUT_MILLIS + 1);

        harness.processElement(bundle(2, 4), 2);
        harness.endInput();

        Map<String, InferenceResult> byEvent = new HashMap<>();
        harness.extractOutputValues().forEach(r -> byEvent.put(r.request.eventId, r));
        assertThat(byEvent).hasSize(4);
        for (int i = 0; i < 2; i++) {
            assertThat(byEvent.get("e" + i).reason).isEqualTo("INFERENCE_TIMEOUT");
        }
        for (int i = 2; i < 4; i++) {
            assertThat(byEvent.get("e" + i).outcome).isEqualTo(InferenceResult.Outcome.SCORED);
            assertThat(byEvent.get("e" + i).scores[0]).isCloseTo(GRU_SCORES[i], within(1e-5f));
            assertThat(byEvent.get("e" + i).batchSize)
                    .as("the batch of four, less the two rows nobody waited for")
                    .isEqualTo(2);
        }
        InferenceServices.Key key =
                new InferenceServices.Key(
                        ReferenceModels.root().toString(), GRU.name(), GRU.version(), "cpu");
        try (InferenceServices.Lease running =
                InferenceServices.acquire(
                        key,
                        () -> {
                            throw new AssertionError("the operator's service is not running");
                        })) {
            assertThat(running.service().get(30, TimeUnit.SECONDS).shedRows()).isEqualTo(2);
        }
    }

    private void open(BatchingConfig batching) throws Exception {
        open(batching, null);
    }

    private void open(BatchingConfig batching, ManualClock clock) throws Exception {
        InferenceSettings settings =
                TestSettings.settings(ReferenceModels.root().toString(), batching);
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new InferenceOperatorFactory(
                                new InferenceFunction(GRU, settings).withClock(clock),
                                Duration.ofMillis(TIMEOUT_MILLIS),
                                8),
                        TypeInformation.of(RequestBundle.class)
                                .createSerializer(new SerializerConfigImpl()));
        harness.open();
    }

    private static RequestBundle bundle(int from, int to) {
        InferenceRequest[] requests = new InferenceRequest[to - from];
        for (int i = from; i < to; i++) {
            InferenceRequest request = new InferenceRequest();
            request.eventId = "e" + i;
            request.sessionId = "s" + i;
            request.eventType = "view";
            request.primary = new ModelInput(GRU.name(), GRU.version(), GRU_ROWS[i]);
            requests[i - from] = request;
        }
        return new RequestBundle(requests);
    }
}
