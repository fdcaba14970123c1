package io.scorestream.operators.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.ModelInput;
import io.scorestream.operators.inference.ScoredRow;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PredictionAssemblerTest {

    private OneInputStreamOperatorTestHarness<InferenceResult, Prediction> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new PredictionAssembler());
        harness.setProcessingTime(10_250);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void buildsAPredictionWithItsModelVersionAndLatencyBreakdown() throws Exception {
        InferenceResult result =
                InferenceResult.scored(
                        request(), new ScoredRow(new float[] {0.8f, 0.2f}, 3_000, 9_000, 32), 15);

        harness.processElement(result, 0);

        Prediction prediction = harness.extractOutputValues().get(0);
        assertThat(prediction.getEventId()).isEqualTo("e-7");
        assertThat(prediction.getSessionId()).isEqualTo("s-1");
        assertThat(prediction.getModelName()).isEqualTo("fraud-mlp");
        assertThat(prediction.getModelVersion()).isEqualTo("2");
        assertThat(prediction.getScore()).isEqualTo(0.8f);
        assertThat(prediction.getScores()).containsExactly(0.8f, 0.2f);
        assertThat(prediction.getSessionEventCount()).isEqualTo(3);
        assertThat(prediction.getScoredTime()).isEqualTo(Instant.ofEpochMilli(10_250));
        assertThat(prediction.getLatency().getEndToEndMillis()).isEqualTo(250);
        assertThat(prediction.getLatency().getQueueWaitMicros()).isEqualTo(3);
        assertThat(prediction.getLatency().getComputeMicros()).isEqualTo(9);
        assertThat(prediction.getLatency().getInferenceMicros()).isEqualTo(15);
        assertThat(prediction.getLatency().getBatchSize()).isEqualTo(32);
        assertThat(prediction.getLatency().getFeaturizeMicros()).isEqualTo(40);
        assertThat(prediction.getFallback()).isFalse();
        assertThat(prediction.getFallbackReason()).isNull();
    }

    @Test
    void flagsFallbacks() throws Exception {
        harness.processElement(
                InferenceResult.fallback(request(), "INFERENCE_TIMEOUT", 0.5f, 5_000_000), 0);

        Prediction prediction = harness.extractOutputValues().get(0);
        assertThat(prediction.getFallback()).isTrue();
        assertThat(prediction.getFallbackReason()).isEqualTo("INFERENCE_TIMEOUT");
        assertThat(prediction.getScore()).isEqualTo(0.5f);
        assertThat(prediction.getLatency().getBatchSize()).isZero();
    }

    @Test
    void deadLettersAModelFailureWithTheOriginalRecordAsRead() throws Exception {
        harness.processElement(
                InferenceResult.failed(
                        request(), "INFERENCE_FAILED", new IllegalStateException("boom"), 100),
                0);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter letter = onlyDeadLetter();
        assertThat(letter.getReason()).isEqualTo("INFERENCE_FAILED");
        assertThat(letter.getStage()).isEqualTo("inference");
        assertThat(letter.getEventId()).isEqualTo("e-7");
        assertThat(letter.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(letter.getMessage()).contains("fraud-mlp:2", "boom");
        assertOriginal(letter);
    }

    @Test
    void deadLettersAUserOverBudgetWithTheOriginalRecordToo() throws Exception {
        harness.processElement(
                InferenceResult.failed(
                        request(), "OVER_BUDGET", new IllegalStateException("spent"), 0),
                0);

        DeadLetter letter = onlyDeadLetter();
        assertThat(letter.getStage()).isEqualTo("budget");
        assertOriginal(letter);
    }

    /** The Confluent-framed value, key and coordinates, exactly as the source read them. */
    private static void assertOriginal(DeadLetter letter) {
        assertThat(bytes(letter.getOriginalKey())).isEqualTo(ORIGIN.key);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(ORIGIN.value);
        assertThat(letter.getSourceTopic()).isEqualTo("events");
        assertThat(letter.getSourcePartition()).isEqualTo(4);
        assertThat(letter.getSourceOffset()).isEqualTo(1234L);
        assertThat(letter.getSourceTimestamp()).isEqualTo(Instant.ofEpochMilli(9_000));
    }

    private DeadLetter onlyDeadLetter() {
        List<DeadLetter> letters =
                harness.getSideOutput(DeadLetters.OUTPUT).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static InferenceRequest request() {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId("e-7")
                        .setSessionId("s-1")
                        .setUserId("u-1")
                        .setEventType("click")
                        .setEventTime(Instant.ofEpochMilli(10_000))
                        .setFeatures(List.of(1f, 2f, 3f, 4f, 5f, 6f))
                        .build();
        return InferenceRequest.of(
                new DecodedEvent(event, ORIGIN),
                new ModelInput("fraud-mlp", "2", new float[24]),
                3,
                40);
    }

    /** A record in the Confluent wire format: its header must survive into the dead letter. */
    private static final RawRecord ORIGIN =
            new RawRecord(
                    "s-1".getBytes(),
                    new byte[] {0, 0, 0, 0, 3, 14, 101},
                    "events",
                    4,
                    1234,
                    9_000);
}
