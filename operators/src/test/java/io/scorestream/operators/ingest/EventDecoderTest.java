package io.scorestream.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    private static final EventSpec SPEC =
            new EventSpec(SyntheticSessions.EVENT_TYPES, SyntheticSessions.EVENT_FEATURES.size());

    private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
    private OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent> harness;
    private long offset;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new EventDecoder(SPEC));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void passesValidEventsThrough() throws Exception {
        InferenceEvent event = validEvent();
        RawRecord record = record(codec.encode(event));
        harness.processElement(record, 0);

        assertThat(harness.extractOutputValues())
                .as("the event, with the record it was read as")
                .containsExactly(new DecodedEvent(event, record));
        assertThat(harness.getSideOutput(DeadLetters.OUTPUT)).isNull();
    }

    @Test
    void deadLettersEveryKindOfBadInputWithItsReasonBytesAndOffset() throws Exception {
        byte[] valid = codec.encode(validEvent());
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(new byte[0]);
        inputs.add("definitely not avro".getBytes());
        inputs.add(java.util.Arrays.copyOf(valid, valid.length - 4));
        inputs.add(encodeWith(e -> e.setSessionId(null)));
        inputs.add(encodeWith(e -> e.setSessionId("  ")));
        inputs.add(encodeWith(e -> e.setEventId("")));
        inputs.add(encodeWith(e -> e.setEventType("refund")));
        inputs.add(encodeWith(e -> e.setFeatures(List.of(1f, 2f))));
        inputs.add(encodeWith(e -> e.setFeatures(List.of(1f, 2f, Float.NaN, 0f, 0f, 0f))));
        inputs.add(
                encodeWith(
                        e -> e.setFeatures(List.of(1f, 2f, 0f, Float.POSITIVE_INFINITY, 0f, 0f))));
        for (byte[] input : inputs) {
            harness.processElement(record(input), 0);
        }

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> deadLetters =
                harness.getSideOutput(DeadLetters.OUTPUT).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(deadLetters)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "EMPTY_VALUE",
                        "UNDECODABLE",
                        "UNDECODABLE",
                        "MISSING_SESSION_ID",
                        "MISSING_SESSION_ID",
                        "MISSING_EVENT_ID",
                        "UNKNOWN_EVENT_TYPE",
                        "WRONG_FEATURE_COUNT",
                        "NON_FINITE_FEATURE",
                        "NON_FINITE_FEATURE");
        for (int i = 0; i < deadLetters.size(); i++) {
            DeadLetter letter = deadLetters.get(i);
            assertThat(letter.getSourceTopic()).isEqualTo("events");
            assertThat(letter.getSourceOffset()).isEqualTo((long) i);
            assertThat(bytes(letter)).isEqualTo(inputs.get(i));
            assertThat(letter.getMessage()).isNotBlank();
        }
        Map<String, String> stageByReason =
                deadLetters.stream()
                        .collect(
                                Collectors.toMap(
                                        DeadLetter::getReason, DeadLetter::getStage, (a, b) -> a));
        assertThat(stageByReason)
                .containsEntry("UNDECODABLE", "decode")
                .containsEntry("MISSING_SESSION_ID", "validate");
        assertThat(deadLetters.get(6).getMessage()).contains("refund", "checkout");
        assertThat(deadLetters.get(3).getEventId()).isEqualTo("e-1");
    }

    @Test
    void keepsGoingAfterBadInput() throws Exception {
        harness.processElement(record("garbage".getBytes()), 0);
        harness.processElement(record(codec.encode(validEvent())), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.getSideOutput(DeadLetters.OUTPUT)).hasSize(1);
    }

    private static InferenceEvent validEvent() {
        return InferenceEvent.newBuilder()
                .setEventId("e-1")
                .setSessionId("s-1")
                .setUserId("u-1")
                .setEventType("checkout")
                .setEventTime(Instant.ofEpochMilli(1_000))
                .setFeatures(List.of(1f, 2f, 0.5f, 0.1f, 0.2f, 1f))
                .build();
    }

    private byte[] encodeWith(Consumer<InferenceEvent> change) {
        InferenceEvent event = validEvent();
        change.accept(event);
        return codec.encode(event);
    }

    private RawRecord record(byte[] value) {
        return new RawRecord("k".getBytes(), value, "events", 0, offset++, 5_000);
    }

    private static byte[] bytes(DeadLetter letter) {
        var buffer = letter.getOriginalValue().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
