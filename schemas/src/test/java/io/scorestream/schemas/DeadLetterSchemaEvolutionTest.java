package io.scorestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * The truncation fields of {@code DeadLetter} were added with defaults: dead letters written before
 * them still read, and readers that predate them still read new ones.
 */
class DeadLetterSchemaEvolutionTest {

    private static final Set<String> ADDED =
            Set.of(
                    "originalValueSize",
                    "originalValueSha256",
                    "keptValueBytes",
                    "originalKeySize",
                    "truncated");

    /** DeadLetter as it was before truncation. */
    private static final Schema BEFORE = withoutAdded(DeadLetter.getClassSchema());

    @Test
    void theSchemasAreCompatibleBothWays() {
        Schema now = DeadLetter.getClassSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, BEFORE).getType())
                .as("new readers, old dead letters")
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(BEFORE, now).getType())
                .as("old readers, new dead letters")
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void deadLettersWrittenBeforeTruncationReadAsWhole() throws Exception {
        DeadLetter current = AvroRoundTripTest.deadLetter();
        GenericRecord old =
                new GenericDatumReader<GenericRecord>(DeadLetter.getClassSchema(), BEFORE)
                        .read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(
                                                AvroCodec.of(DeadLetter.class).encode(current),
                                                null));

        DeadLetter read =
                new SpecificDatumReader<DeadLetter>(BEFORE, DeadLetter.getClassSchema())
                        .read(null, DecoderFactory.get().binaryDecoder(write(BEFORE, old), null));

        assertThat(read.getTruncated()).isFalse();
        assertThat(read.getOriginalValueSize()).isNull();
        assertThat(read.getOriginalValueSha256()).isNull();
        assertThat(read.getKeptValueBytes()).isNull();
        assertThat(read.getOriginalKeySize()).isNull();
        assertThat(read.getOriginalValue()).isEqualTo(current.getOriginalValue());
        assertThat(read.getReason()).isEqualTo(current.getReason());
    }

    @Test
    void oldReadersSkipTheTruncationFields() throws Exception {
        DeadLetter truncated =
                DeadLetter.newBuilder(AvroRoundTripTest.deadLetter())
                        .setOriginalValue(ByteBuffer.wrap(new byte[] {3}))
                        .setOriginalValueSize(3)
                        .setOriginalValueSha256("ab".repeat(32))
                        .setKeptValueBytes(1)
                        .setOriginalKeySize(2)
                        .setTruncated(true)
                        .build();
        byte[] bytes = AvroCodec.of(DeadLetter.class).encode(truncated);

        GenericRecord read =
                new GenericDatumReader<GenericRecord>(DeadLetter.getClassSchema(), BEFORE)
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));

        assertThat(read.get("reason").toString()).isEqualTo("UNDECODABLE");
        assertThat(read.get("originalValue")).isEqualTo(ByteBuffer.wrap(new byte[] {3}));
        assertThat(read.getSchema().getField("truncated")).isNull();
        assertThat(AvroCodec.of(DeadLetter.class).decode(bytes)).isEqualTo(truncated);
    }

    private static Schema withoutAdded(Schema schema) {
        List<Schema.Field> fields =
                schema.getFields().stream()
                        .filter(f -> !ADDED.contains(f.name()))
                        .map(f -> new Schema.Field(f, f.schema()))
                        .toList();
        assertThat(fields).hasSize(schema.getFields().size() - ADDED.size());
        return Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static byte[] write(Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
