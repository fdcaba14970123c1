package io.scorestream.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ReaderLimits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input the decoder knows, one reason each: hostile sizes, foreign schemas, the
 * Confluent header, keys, feature ranges and late events. Each record is dead-lettered whole (key,
 * value, source offset) and counted under its own reason; the operator never throws.
 */
class BadInputDecoderTest {

    private static final EventSpec SPEC =
            new EventSpec(SyntheticSessions.EVENT_TYPES, SyntheticSessions.EVENT_FEATURES.size());
    private static final long NOW = 1_767_225_600_000L;
    private static final int SCHEMA_ID = 42;

    private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);

    @Test
    void hostileSizesAreDeadLetteredWithoutDecoding() throws Exception {
        InputRules rules =
                InputRules.defaults()
                        .withMaxRecordBytes(512)
                        .withReaderLimits(new ReaderLimits(1024, 1024, 100));
        byte[] oversized =
                encode(toBuilder(validEvent()).setAttributes(Map.of("note", "x".repeat(600))));
        byte[] declares2Gb = declaringAHugeEventId(2_000_000_000L);
        byte[] manyFeatures = encode(toBuilder(validEvent()).setFeatures(floats(101)));

        Run run = run(rules, records(oversized, declares2Gb, manyFeatures));

        assertThat(run.reasons())
                .containsExactly(
                        DeadLetterReason.OVERSIZED_RECORD,
                        DeadLetterReason.OVERSIZED_FIELD,
                        DeadLetterReason.OVERSIZED_FIELD);
        assertThat(run.letters.get(0).getMessage()).contains("more than the maximum of 512");
        assertThat(run.letters.get(1).getMessage()).contains("declares 2000000000 bytes");
        assertThat(run.letters.get(2).getMessage()).contains("101 items");
    }

    @Test
    void avroOfAnotherSchemaIsWrongSchema() throws Exception {
        byte[] valid = encode(toBuilder(validEvent()));
        byte[] withExtraField = Arrays.copyOf(valid, valid.length + 4);
        withExtraField[valid.length] = 14; // a 7-byte string would follow: a newer writer schema

        Run run = run(InputRules.defaults(), records(withExtraField));

        assertThat(run.reasons()).containsExactly(DeadLetterReason.WRONG_SCHEMA);
        assertThat(run.letters.get(0).getMessage()).contains("trailing bytes");
        assertThat(run.letters.get(0).getStage()).isEqualTo("decode");
    }

    @Test
    void confluentWireFormatChecksTheMagicByteAndTheSchemaId() throws Exception {
        InputRules rules =
                InputRules.defaults().withWireFormat(WireFormat.CONFLUENT, Set.of(7, SCHEMA_ID));
        byte[] plain = encode(toBuilder(validEvent()));

        Run run =
                run(
                        rules,
                        records(
                                framed(SCHEMA_ID, plain),
                                plain,
                                framed(SCHEMA_ID + 1, plain),
                                new byte[] {0, 0, 0},
                                WireFormat.confluentHeader(SCHEMA_ID),
                                framed(7, "garbage".getBytes())));

        assertThat(run.emitted).containsExactly(validEvent());
        assertThat(run.reasons())
                .containsExactly(
                        DeadLetterReason.BAD_MAGIC_BYTE,
                        DeadLetterReason.UNKNOWN_SCHEMA_ID,
                        DeadLetterReason.BAD_MAGIC_BYTE,
                        DeadLetterReason.EMPTY_VALUE,
                        DeadLetterReason.UNDECODABLE);
        assertThat(run.letters.get(1).getMessage()).contains("schema id 43", "[7, 42]", "42");
        assertThat(run.letters.get(2).getMessage()).contains("too short");
        assertThat(run.counter(DeadLetterReason.BAD_MAGIC_BYTE.counterName()).getCount())
                .isEqualTo(2);
        assertThat(run.counter(DeadLetterReason.UNKNOWN_SCHEMA_ID.counterName()).getCount())
                .isOne();
    }

    @Test
    void aRecordWithoutAKeyIsDeadLetteredOnlyWhenAKeyIsRequired() throws Exception {
        byte[] value = encode(toBuilder(validEvent()));
        List<RawRecord> records =
                List.of(
                        new RawRecord(null, value, "events", 1, 10, NOW),
                        new RawRecord(new byte[0], value, "events", 1, 11, NOW),
                        new RawRecord("s-1".getBytes(), value, "events", 1, 12, NOW));

        Run required = run(InputRules.defaults().withRequireKey(true), records);
        Run optional = run(InputRules.defaults(), records);

        assertThat(required.emitted).hasSize(1);
        assertThat(required.reasons())
                .containsExactly(DeadLetterReason.MISSING_KEY, DeadLetterReason.MISSING_KEY);
        assertThat(required.letters.get(0).getEventId()).isEqualTo("e-1");
        assertThat(required.letters.get(0).getOriginalKey()).isNull();
        assertThat(optional.emitted).hasSize(3);
    }

    @Test
    void featuresOutsideTheirRangeAreDeadLettered() throws Exception {
        InputRules rules =
                InputRules.defaults()
                        .withFeatureRanges(
                                FeatureRange.DEFAULT,
                                SyntheticSessions.EVENT_FEATURES,
                                Map.of(
                                        SyntheticSessions.EVENT_FEATURES.get(2),
                                        FeatureRange.parse("0..1")));
        Run run =
                run(
                        rules,
                        records(
                                encode(toBuilder(validEvent()).setFeatures(withFeature(0, 5e9f))),
                                encode(toBuilder(validEvent()).setFeatures(withFeature(2, 1.5f))),
                                encode(toBuilder(validEvent()).setFeatures(withFeature(2, 1f))),
                                encode(
                                        toBuilder(validEvent())
                                                .setFeatures(withFeature(3, -2e9f)))));

        assertThat(run.emitted).hasSize(1);
        assertThat(run.reasons())
                .containsExactly(
                        DeadLetterReason.OUT_OF_RANGE_FEATURE,
                        DeadLetterReason.OUT_OF_RANGE_FEATURE,
                        DeadLetterReason.OUT_OF_RANGE_FEATURE);
        assertThat(run.letters.get(1).getMessage()).contains("feature 2 is 1.5", "0.0..1.0");
    }

    @Test
    void eventsOlderThanTheMaximumAgeAreLate() throws Exception {
        InputRules rules = InputRules.defaults().withMaxEventAge(Duration.ofMinutes(1));
        long eventTime = validEvent().getEventTime().toEpochMilli();
        byte[] value = encode(toBuilder(validEvent()));

        Run onTime = run(rules, records(value), eventTime + 60_000);
        Run late = run(rules, records(value), eventTime + 60_001);
        Run noLimit = run(InputRules.defaults(), records(value), eventTime + 86_400_000L);

        assertThat(onTime.emitted).hasSize(1);
        assertThat(late.reasons()).containsExactly(DeadLetterReason.LATE_EVENT);
        assertThat(late.letters.get(0).getMessage()).contains("60001 ms old");
        assertThat(noLimit.emitted).hasSize(1);
    }

    @Test
    void everyReasonHasItsOwnCounterAndEveryLetterCarriesItsRecord() throws Exception {
        InputRules rules =
                InputRules.defaults()
                        .withRequireKey(true)
                        .withMaxEventAge(Duration.ofDays(1))
                        .withMaxRecordBytes(512)
                        .withReaderLimits(new ReaderLimits(256, 256, 64));
        byte[] valid = encode(toBuilder(validEvent()));
        Map<DeadLetterReason, byte[]> byReason = new EnumMap<>(DeadLetterReason.class);
        byReason.put(DeadLetterReason.EMPTY_VALUE, new byte[0]);
        byReason.put(DeadLetterReason.OVERSIZED_RECORD, new byte[513]);
        byReason.put(DeadLetterReason.UNDECODABLE, "not avro".getBytes());
        byReason.put(DeadLetterReason.WRONG_SCHEMA, Arrays.copyOf(valid, valid.length + 1));
        byReason.put(DeadLetterReason.OVERSIZED_FIELD, declaringAHugeEventId(1_000));
        byReason.put(
                DeadLetterReason.MISSING_EVENT_ID, encode(toBuilder(validEvent()).setEventId("")));
        byReason.put(
                DeadLetterReason.MISSING_SESSION_ID,
                encode(toBuilder(validEvent()).setSessionId(null)));
        byReason.put(
                DeadLetterReason.UNKNOWN_EVENT_TYPE,
                encode(toBuilder(validEvent()).setEventType("refund")));
        byReason.put(
                DeadLetterReason.WRONG_FEATURE_COUNT,
                encode(toBuilder(validEvent()).setFeatures(floats(2))));
        byReason.put(
                DeadLetterReason.NON_FINITE_FEATURE,
                encode(toBuilder(validEvent()).setFeatures(withFeature(1, Float.NaN))));
        byReason.put(
                DeadLetterReason.OUT_OF_RANGE_FEATURE,
                encode(toBuilder(validEvent()).setFeatures(withFeature(1, 1e12f))));
        byReason.put(
                DeadLetterReason.LATE_EVENT,
                encode(
                        toBuilder(validEvent())
                                .setEventTime(Instant.ofEpochMilli(NOW - 86_400_001L))));
        List<RawRecord> records = new ArrayList<>();
        for (byte[] value : byReason.values()) {
            records.add(
                    new RawRecord(key(records.size()), value, "events", 3, records.size(), NOW));
        }
        records.add(new RawRecord(null, valid, "events", 3, records.size(), NOW)); // MISSING_KEY
        records.add(new RawRecord(key(99), valid, "events", 3, records.size(), NOW));

        Run run = run(rules, records);

        assertThat(run.emitted).containsExactly(validEvent());
        List<DeadLetterReason> expected = new ArrayList<>(byReason.keySet());
        expected.add(DeadLetterReason.MISSING_KEY);
        assertThat(run.reasons()).containsExactlyElementsOf(expected);
        // All but the two Confluent reasons (see the Confluent test) in one plain-format run.
        Set<DeadLetterReason> plainReasons = EnumSet.copyOf(EventDecoder.REASONS);
        plainReasons.removeAll(
                Set.of(DeadLetterReason.BAD_MAGIC_BYTE, DeadLetterReason.UNKNOWN_SCHEMA_ID));
        assertThat(expected).containsExactlyInAnyOrderElementsOf(plainReasons);
        for (DeadLetterReason reason : EventDecoder.REASONS) {
            assertThat(run.counter(reason.counterName()).getCount())
                    .as(reason.name())
                    .isEqualTo(plainReasons.contains(reason) ? 1 : 0);
        }
        assertThat(run.counter("eventsDecoded").getCount()).isOne();
        for (int i = 0; i < run.letters.size(); i++) {
            DeadLetter letter = run.letters.get(i);
            RawRecord record = records.get(i);
            assertThat(bytes(letter.getOriginalValue())).isEqualTo(record.value);
            assertThat(letter.getOriginalKey() == null ? null : bytes(letter.getOriginalKey()))
                    .isEqualTo(record.key);
            assertThat(letter.getSourceTopic()).isEqualTo("events");
            assertThat(letter.getSourcePartition()).isEqualTo(3);
            assertThat(letter.getSourceOffset()).isEqualTo(i);
            assertThat(letter.getStage()).isEqualTo(expected.get(i).stage().label());
            assertThat(letter.getMessage()).isNotBlank();
        }
    }

    // ---------------------------------------------------------------------------------------

    static InferenceEvent validEvent() {
        return InferenceEvent.newBuilder()
                .setEventId("e-1")
                .setSessionId("s-1")
                .setUserId("u-1")
                .setEventType("checkout")
                .setEventTime(Instant.ofEpochMilli(NOW - 1_000))
                .setFeatures(List.of(1f, 2f, 0.5f, 0.1f, 0.2f, 1f))
                .build();
    }

    private byte[] encode(InferenceEvent.Builder builder) {
        return codec.encode(builder.build());
    }

    private static InferenceEvent.Builder toBuilder(InferenceEvent event) {
        return InferenceEvent.newBuilder(event);
    }

    /** An InferenceEvent whose first field, the event id, declares {@code length} bytes. */
    static byte[] declaringAHugeEventId(long length) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        out.writeLong(length);
        out.writeFixed("abc".getBytes());
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] framed(int schemaId, byte[] avro) {
        byte[] header = WireFormat.confluentHeader(schemaId);
        byte[] value = Arrays.copyOf(header, header.length + avro.length);
        System.arraycopy(avro, 0, value, header.length, avro.length);
        return value;
    }

    private static List<Float> floats(int count) {
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add((float) i);
        }
        return values;
    }

    private static List<Float> withFeature(int index, float value) {
        List<Float> features = new ArrayList<>(validEvent().getFeatures());
        features.set(index, value);
        return features;
    }

    private static byte[] key(int i) {
        return ("k-" + i).getBytes();
    }

    private static List<RawRecord> records(byte[]... values) {
        List<RawRecord> records = new ArrayList<>();
        for (byte[] value : values) {
            records.add(
                    new RawRecord(key(records.size()), value, "events", 0, records.size(), NOW));
        }
        return records;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static Run run(InputRules rules, List<RawRecord> records) throws Exception {
        return run(rules, records, NOW);
    }

    /** Runs the decoder over {@code records} at processing time {@code now}, metrics captured. */
    private static Run run(InputRules rules, List<RawRecord> records, long now) throws Exception {
        CapturingTaskMetricGroup metrics = new CapturingTaskMetricGroup();
        try (OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new EventDecoder(SPEC, rules)),
                        new MockEnvironmentBuilder().setMetricGroup(metrics).build())) {
            harness.open();
            harness.setProcessingTime(now);
            for (RawRecord record : records) {
                harness.processElement(record, 0);
            }
            var side = harness.getSideOutput(DeadLetters.OUTPUT);
            List<DeadLetter> letters =
                    side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
            return new Run(
                    harness.extractOutputValues().stream().map(DecodedEvent::event).toList(),
                    letters,
                    metrics.operator);
        }
    }

    private record Run(
            List<InferenceEvent> emitted,
            List<DeadLetter> letters,
            InterceptingOperatorMetricGroup metrics) {

        List<DeadLetterReason> reasons() {
            return letters.stream().map(l -> DeadLetterReason.valueOf(l.getReason())).toList();
        }

        Counter counter(String name) {
            return (Counter) metrics.get(name);
        }
    }

    /** A task metric group whose operator group keeps the metrics registered on it. */
    private static final class CapturingTaskMetricGroup
            extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {
        final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(
                OperatorID operatorID, String name, Map<String, String> additionalVariables) {
            return operator;
        }
    }
}
