package io.scorestream.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ReaderLimits;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * Random bytes and mutated valid records through the decoder, plain and Confluent-framed: it never
 * throws, and every input comes out exactly once, either as a valid event or as a dead letter that
 * carries the input's bytes and a reason of its own.
 */
class EventDecoderFuzzTest {

    private static final EventSpec SPEC =
            new EventSpec(SyntheticSessions.EVENT_TYPES, SyntheticSessions.EVENT_FEATURES.size());
    private static final int SCHEMA_ID = 7;
    private static final InputRules PLAIN =
            InputRules.defaults()
                    .withReaderLimits(new ReaderLimits(256, 256, 64))
                    .withMaxRecordBytes(4096);
    private static final InputRules CONFLUENT =
            PLAIN.withWireFormat(WireFormat.CONFLUENT, Set.of(SCHEMA_ID))
                    .withRequireKey(true)
                    .withMaxEventAge(Duration.ofDays(365));
    private static final AvroCodec<InferenceEvent> CODEC = AvroCodec.of(InferenceEvent.class);

    private OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent> plain;
    private OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent> confluent;
    private long offset;
    private long inputs;
    private long emitted;
    private long deadLettered;

    @BeforeProperty
    void open() throws Exception {
        plain = ProcessFunctionTestHarnesses.forProcessFunction(new EventDecoder(SPEC, PLAIN));
        confluent =
                ProcessFunctionTestHarnesses.forProcessFunction(new EventDecoder(SPEC, CONFLUENT));
        confluent.setProcessingTime(Instant.parse("2026-06-01T00:00:00Z").toEpochMilli());
    }

    @AfterProperty
    void close() throws Exception {
        plain.close();
        confluent.close();
        assertThat(emitted + deadLettered).as("events + dead letters").isEqualTo(inputs);
    }

    @Property(tries = 1500)
    void randomBytesAreEmittedOrDeadLetteredNeverThrown(
            @ForAll("keys") byte[] key, @ForAll("randomBytes") byte[] value) throws Exception {
        decodeOnce(plain, key, value);
        decodeOnce(confluent, key, value);
        decodeOnce(confluent, key, framed(value));
    }

    @Property(tries = 1500)
    void mutatedRecordsAreEmittedOrDeadLetteredNeverThrown(
            @ForAll("keys") byte[] key, @ForAll("mutatedRecords") byte[] value) throws Exception {
        decodeOnce(plain, key, value);
        decodeOnce(confluent, key, framed(value));
    }

    @Property(tries = 300)
    void validRecordsAreEmitted(@ForAll("validEvents") InferenceEvent event) throws Exception {
        byte[] value = CODEC.encode(event);
        assertThat(decodeOnce(plain, "k".getBytes(), value)).isEqualTo(event);
        assertThat(decodeOnce(confluent, "k".getBytes(), framed(value))).isEqualTo(event);
    }

    /** Decodes one record; returns the event if it was emitted, null if dead-lettered. */
    private InferenceEvent decodeOnce(
            OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent> harness,
            byte[] key,
            byte[] value)
            throws Exception {
        RawRecord record = new RawRecord(key, value, "events", 1, offset++, 1_000L);
        inputs++;
        harness.processElement(record, 0); // must not throw, whatever the bytes

        List<InferenceEvent> events =
                harness.extractOutputValues().stream().map(DecodedEvent::event).toList();
        Queue<StreamRecord<DeadLetter>> side = harness.getSideOutput(DeadLetters.OUTPUT);
        List<DeadLetter> letters =
                side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
        harness.getOutput().clear();
        if (side != null) {
            side.clear();
        }
        assertThat(events.size() + letters.size()).as("outputs for one input").isOne();
        emitted += events.size();
        deadLettered += letters.size();
        Statistics.label(harness == plain ? "plain" : "confluent")
                .collect(events.isEmpty() ? letters.get(0).getReason() : "emitted");
        if (!events.isEmpty()) {
            InferenceEvent event = events.get(0);
            assertThat(new EventValidator(SPEC).validate(event).valid()).isTrue();
            return event;
        }
        DeadLetter letter = letters.get(0);
        assertThat(DeadLetterReason.valueOf(letter.getReason())).isIn(EventDecoder.REASONS);
        assertThat(letter.getMessage()).isNotBlank().doesNotContain("unexpected error");
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(value);
        assertThat(letter.getOriginalKey() == null ? null : bytes(letter.getOriginalKey()))
                .isEqualTo(key);
        assertThat(letter.getSourceOffset()).isEqualTo(record.offset);
        return null;
    }

    // Generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(8).injectNull(0.2);
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<InferenceEvent> validEvents() {
        Arbitrary<String> ids =
                Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(s -> !s.isBlank());
        Arbitrary<Float> features = Arbitraries.floats().between(-1e6f, 1e6f);
        return Combinators.combine(
                        ids,
                        ids,
                        ids.injectNull(0.5),
                        Arbitraries.of(SyntheticSessions.EVENT_TYPES),
                        Arbitraries.longs()
                                .between(
                                        Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(),
                                        Instant.parse("2026-06-01T00:00:00Z").toEpochMilli()),
                        features.list().ofSize(SPEC.featureCount()),
                        Arbitraries.maps(ids, Arbitraries.strings().ofMaxLength(10))
                                .ofMaxSize(3)
                                .injectNull(0.5))
                .as(
                        (eventId, sessionId, userId, type, time, values, attributes) ->
                                InferenceEvent.newBuilder()
                                        .setEventId(eventId)
                                        .setSessionId(sessionId)
                                        .setUserId(userId)
                                        .setEventType(type)
                                        .setEventTime(Instant.ofEpochMilli(time))
                                        .setFeatures(values)
                                        .setAttributes(attributes)
                                        .build());
    }

    /**
     * Any event the schema allows (not only valid ones), encoded, then broken in one of many ways.
     */
    @Provide
    Arbitrary<byte[]> mutatedRecords() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12);
        Arbitrary<Float> anyFloat =
                Arbitraries.floats()
                        .withSpecialValue(Float.NaN)
                        .withSpecialValue(Float.POSITIVE_INFINITY)
                        .withSpecialValue(Float.NEGATIVE_INFINITY);
        Arbitrary<InferenceEvent> anyEvent =
                Combinators.combine(
                                text,
                                text.injectNull(0.2),
                                Arbitraries.oneOf(
                                        Arbitraries.of(SyntheticSessions.EVENT_TYPES), text),
                                Arbitraries.longs(),
                                anyFloat.list().ofMaxSize(10),
                                Arbitraries.maps(text, text).ofMaxSize(3).injectNull(0.5))
                        .as(
                                (eventId, sessionId, type, time, values, attributes) ->
                                        InferenceEvent.newBuilder()
                                                .setEventId(eventId)
                                                .setSessionId(sessionId)
                                                .setEventType(type)
                                                .setEventTime(Instant.ofEpochMilli(time))
                                                .setFeatures(values)
                                                .setAttributes(attributes)
                                                .build());
        Arbitrary<byte[]> patch =
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12);
        return Combinators.combine(
                        Arbitraries.oneOf(anyEvent, validEvents()).map(CODEC::encode),
                        Arbitraries.of(Mutation.class),
                        Arbitraries.integers().greaterOrEqual(0),
                        patch)
                .as((bytes, mutation, position, with) -> mutation.apply(bytes, position, with));
    }

    /** Ways to break a valid encoding. */
    enum Mutation {
        NONE,
        FLIP_BIT,
        TRUNCATE,
        INSERT,
        OVERWRITE,
        APPEND,
        HUGE_LENGTH;

        byte[] apply(byte[] bytes, int seed, byte[] with) {
            int at = bytes.length == 0 ? 0 : seed % bytes.length;
            return switch (this) {
                case NONE -> bytes;
                case FLIP_BIT -> {
                    byte[] copy = bytes.clone();
                    copy[at] ^= (byte) (1 << (seed % 8));
                    yield copy;
                }
                case TRUNCATE -> Arrays.copyOf(bytes, at);
                case INSERT -> concat(Arrays.copyOf(bytes, at), with, tail(bytes, at));
                case OVERWRITE -> {
                    byte[] copy = bytes.clone();
                    System.arraycopy(with, 0, copy, at, Math.min(with.length, copy.length - at));
                    yield copy;
                }
                case APPEND -> concat(bytes, with, new byte[0]);
                // A varint of ~2^34 where a length may be: bytes with the continuation bit set.
                case HUGE_LENGTH ->
                        concat(
                                Arrays.copyOf(bytes, at),
                                new byte[] {
                                    (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f
                                },
                                tail(bytes, at));
            };
        }

        private static byte[] tail(byte[] bytes, int from) {
            return Arrays.copyOfRange(bytes, from, bytes.length);
        }

        private static byte[] concat(byte[] a, byte[] b, byte[] c) {
            byte[] all = Arrays.copyOf(a, a.length + b.length + c.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            return all;
        }
    }

    private static byte[] framed(byte[] avro) {
        byte[] header = WireFormat.confluentHeader(SCHEMA_ID);
        byte[] value = Arrays.copyOf(header, header.length + avro.length);
        System.arraycopy(avro, 0, value, header.length, avro.length);
        return value;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
