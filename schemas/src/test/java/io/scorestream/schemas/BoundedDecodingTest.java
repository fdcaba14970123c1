package io.scorestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.schemas.AvroDecodeException.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Hostile and foreign input: records that declare huge strings or collections are rejected before
 * anything is allocated for them, and records written with another schema are told apart from
 * garbage.
 */
class BoundedDecodingTest {

    private static final ReaderLimits LIMITS = new ReaderLimits(64 * 1024, 64 * 1024, 10_000);
    private static final long TWO_GB = 2_000_000_000L;

    @Test
    void aRecordDeclaringA2GbStringIsRejectedWithoutAllocatingIt() throws Exception {
        byte[] hostile = eventPrefix(out -> out.writeLong(TWO_GB)); // eventId's length prefix
        assertThat(hostile).hasSizeLessThan(16);

        for (ReaderLimits limits : List.of(LIMITS, ReaderLimits.NONE)) {
            AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class, limits);
            long allocatedBefore = allocatedBytes();
            long start = System.nanoTime();

            assertThatThrownBy(() -> codec.decode(hostile))
                    .isInstanceOf(AvroDecodeException.class)
                    .hasMessageContaining("declares 2000000000 bytes");

            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            long allocated = allocatedBytes() - allocatedBefore;
            assertThat(allocated).as("bytes allocated while rejecting").isLessThan(1_000_000);
            assertThat(tookMillis).as("ms to reject").isLessThan(1_000);
        }
        assertThat(problemOf(AvroCodec.of(InferenceEvent.class, LIMITS), hostile))
                .isEqualTo(Problem.LIMIT_EXCEEDED);
        // Without limits, the record is still refused: it has nowhere near 2 GB of bytes.
        assertThat(problemOf(AvroCodec.of(InferenceEvent.class), hostile))
                .isEqualTo(Problem.MALFORMED);
    }

    @Test
    void aRecordDeclaringAHugeArrayOrMapIsRejectedWithoutAllocatingIt() throws Exception {
        byte[] hugeArray =
                eventPrefix(
                        out -> {
                            validHead(out);
                            out.writeArrayStart();
                            out.setItemCount(TWO_GB); // the features array
                            out.startItem();
                            out.writeFloat(1f);
                        });
        byte[] hugeMap =
                eventPrefix(
                        out -> {
                            validHead(out);
                            out.writeArrayStart();
                            out.setItemCount(0);
                            out.writeArrayEnd();
                            out.writeIndex(1); // attributes: the map branch
                            out.writeMapStart();
                            out.setItemCount(TWO_GB);
                            out.startItem();
                            out.writeString("k");
                        });

        for (byte[] hostile : List.of(hugeArray, hugeMap)) {
            long allocatedBefore = allocatedBytes();
            assertThat(problemOf(AvroCodec.of(InferenceEvent.class, LIMITS), hostile))
                    .isEqualTo(Problem.LIMIT_EXCEEDED);
            assertThat(problemOf(AvroCodec.of(InferenceEvent.class), hostile))
                    .isEqualTo(Problem.MALFORMED);
            assertThat(allocatedBytes() - allocatedBefore).isLessThan(1_000_000);
        }
    }

    @Test
    void limitsApplyToStringsAndCollectionsThatAreReallyThere() {
        InferenceEvent event =
                InferenceEvent.newBuilder(AvroRoundTripTest.event())
                        .setEventId("x".repeat(100))
                        .setFeatures(List.of(1f, 2f))
                        .setAttributes(Map.of("a", "1", "b", "2", "c", "3"))
                        .build();
        byte[] bytes = AvroCodec.of(InferenceEvent.class).encode(event);

        // The features array (2) and the map (3) are counted apart, not added up.
        assertThat(AvroCodec.of(InferenceEvent.class, new ReaderLimits(100, 100, 3)).decode(bytes))
                .isEqualTo(event);
        assertThatThrownBy(
                        () ->
                                AvroCodec.of(InferenceEvent.class, new ReaderLimits(99, 100, 3))
                                        .decode(bytes))
                .hasMessageContaining("string declares 100 bytes, more than the limit of 99");
        assertThatThrownBy(
                        () ->
                                AvroCodec.of(InferenceEvent.class, new ReaderLimits(100, 100, 2))
                                        .decode(bytes))
                .hasMessageContaining("the map declares 3 items, more than the limit of 2")
                .satisfies(e -> assertThat(problem(e)).isEqualTo(Problem.LIMIT_EXCEEDED));
        assertThatThrownBy(
                        () ->
                                AvroCodec.of(InferenceEvent.class, new ReaderLimits(100, 100, 1))
                                        .decode(bytes))
                .hasMessageContaining("the array declares 2 items");
    }

    @Test
    void recordsOfAnotherSchemaAreWrongSchemaNotGarbage() throws Exception {
        // A producer on a newer schema with one more field: Avro reads our fields, then bytes
        // remain.
        Schema newer =
                SchemaBuilder.record("InferenceEvent")
                        .namespace("io.scorestream.schemas")
                        .fields()
                        .name("eventId")
                        .type()
                        .stringType()
                        .noDefault()
                        .name("sessionId")
                        .type()
                        .optional()
                        .stringType()
                        .name("userId")
                        .type()
                        .optional()
                        .stringType()
                        .name("eventType")
                        .type()
                        .stringType()
                        .noDefault()
                        .name("eventTime")
                        .type()
                        .longType()
                        .noDefault()
                        .name("features")
                        .type()
                        .array()
                        .items()
                        .floatType()
                        .noDefault()
                        .name("attributes")
                        .type()
                        .optional()
                        .map()
                        .values()
                        .stringType()
                        .name("region")
                        .type()
                        .stringType()
                        .noDefault()
                        .endRecord();
        GenericRecord record = new GenericData.Record(newer);
        record.put("eventId", "e-1");
        record.put("sessionId", "s-1");
        record.put("eventType", "view");
        record.put("eventTime", 1_000L);
        record.put("features", List.of(1f, 2f));
        record.put("region", "eu-west");

        assertThat(problemOf(AvroCodec.of(InferenceEvent.class), write(newer, record)))
                .isEqualTo(Problem.WRONG_SCHEMA);

        // A string field whose bytes are not UTF-8 text.
        byte[] latin1 =
                eventPrefix(
                        out -> {
                            out.writeString(
                                    new org.apache.avro.util.Utf8(new byte[] {(byte) 0xE9, 'x'}));
                        });
        assertThatThrownBy(() -> AvroCodec.of(InferenceEvent.class).decode(latin1))
                .hasMessageContaining("not UTF-8")
                .satisfies(e -> assertThat(problem(e)).isEqualTo(Problem.WRONG_SCHEMA));

        // Plain garbage and truncation stay MALFORMED.
        byte[] valid = AvroCodec.of(InferenceEvent.class).encode(AvroRoundTripTest.event());
        assertThat(problemOf(AvroCodec.of(InferenceEvent.class), "this is not avro".getBytes()))
                .isEqualTo(Problem.MALFORMED);
        assertThat(
                        problemOf(
                                AvroCodec.of(InferenceEvent.class),
                                java.util.Arrays.copyOf(valid, valid.length - 3)))
                .isEqualTo(Problem.MALFORMED);
    }

    @Test
    void decodesARecordInsideALargerBuffer() {
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class, LIMITS);
        byte[] valid = codec.encode(AvroRoundTripTest.event());
        byte[] framed = new byte[valid.length + 5];
        System.arraycopy(valid, 0, framed, 5, valid.length);

        assertThat(codec.decode(framed, 5, valid.length)).isEqualTo(AvroRoundTripTest.event());
        assertThat(problem(catchDecode(() -> codec.decode(framed, 5, 0)))).isEqualTo(Problem.EMPTY);
    }

    // ---------------------------------------------------------------------------------------

    /** Bytes of an InferenceEvent whose encoding is written by {@code body}. */
    private static byte[] eventPrefix(ThrowingConsumer<BinaryEncoder> body) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        try {
            body.accept(out);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** A valid start of an InferenceEvent, up to (not including) its features. */
    private static void validHead(BinaryEncoder out) throws IOException {
        out.writeString("e-1");
        out.writeIndex(1);
        out.writeString("s-1");
        out.writeIndex(0);
        out.writeString("view");
        out.writeLong(1_000L);
    }

    private static byte[] write(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, out);
        out.flush();
        return bytes.toByteArray();
    }

    private static Problem problemOf(AvroCodec<InferenceEvent> codec, byte[] bytes) {
        return problem(catchDecode(() -> codec.decode(bytes)));
    }

    private static Throwable catchDecode(Runnable decode) {
        try {
            decode.run();
        } catch (AvroDecodeException e) {
            return e;
        }
        throw new AssertionError("expected the decode to fail");
    }

    private static Problem problem(Throwable e) {
        return ((AvroDecodeException) e).problem();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
