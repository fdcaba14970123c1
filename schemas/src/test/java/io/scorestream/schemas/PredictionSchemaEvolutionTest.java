package io.scorestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** {@code overBudget} was added with a default: both old and new readers keep working. */
class PredictionSchemaEvolutionTest {

    /** Prediction as it was before {@code overBudget}. */
    private static final Schema BEFORE_BUDGETS = withoutField(Prediction.getClassSchema());

    @Test
    void predictionsWrittenBeforeBudgetsReadAsWithinBudget() throws Exception {
        Prediction current = AvroRoundTripTest.prediction();
        // What a producer built before budgets wrote: the same prediction without the flag.
        GenericRecord old =
                new GenericDatumReader<GenericRecord>(Prediction.getClassSchema(), BEFORE_BUDGETS)
                        .read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(
                                                AvroCodec.of(Prediction.class).encode(current),
                                                null));
        byte[] bytes = write(BEFORE_BUDGETS, old);

        Prediction read =
                new SpecificDatumReader<Prediction>(BEFORE_BUDGETS, Prediction.getClassSchema())
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));

        assertThat(read.getOverBudget()).isFalse();
        assertThat(read.getEventId()).isEqualTo(current.getEventId());
        assertThat(read.getScore()).isEqualTo(current.getScore());
        assertThat(read.getFallbackReason()).isEqualTo(current.getFallbackReason());
    }

    @Test
    void oldReadersSkipTheFlag() throws Exception {
        Prediction flagged =
                Prediction.newBuilder(AvroRoundTripTest.prediction())
                        .setFallbackReason("OVER_BUDGET")
                        .setOverBudget(true)
                        .build();
        byte[] bytes = AvroCodec.of(Prediction.class).encode(flagged);

        GenericRecord read =
                new GenericDatumReader<GenericRecord>(Prediction.getClassSchema(), BEFORE_BUDGETS)
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));

        assertThat(read.get("eventId").toString()).isEqualTo(flagged.getEventId());
        assertThat(read.get("fallbackReason").toString()).isEqualTo("OVER_BUDGET");
        assertThat(read.getSchema().getField("overBudget")).isNull();
        assertThat(AvroCodec.of(Prediction.class).decode(bytes).getOverBudget()).isTrue();
    }

    private static Schema withoutField(Schema schema) {
        List<Schema.Field> fields =
                schema.getFields().stream()
                        .filter(f -> !f.name().equals("overBudget"))
                        .map(f -> new Schema.Field(f, f.schema()))
                        .toList();
        assertThat(fields).hasSize(schema.getFields().size() - 1);
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
