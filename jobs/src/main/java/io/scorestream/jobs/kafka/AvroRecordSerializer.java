package io.scorestream.jobs.kafka;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.RecordEncoder;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one Avro record type to one topic as plain Avro binary, with a key and a Kafka timestamp
 * derived from the record.
 *
 * <p>The Kafka timestamp is the time the record itself says it was made (a prediction's scored
 * time, a dead letter's time), never Flink's element timestamp, which in the scoring job is the
 * event's time. Kafka applies a topic's time-based retention ({@code retention.ms}, 7 days by
 * default) to record timestamps: a record stamped with the time of an event older than that is
 * deleted by the broker's next retention check, minutes or seconds after it was committed, with no
 * error anywhere. That is what happens to the output of a backfill, a replay or a job catching up
 * from the earliest offset, and to every test whose synthetic events are dated in the past. The
 * event's time stays in the record's payload.
 */
public final class AvroRecordSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableSupplier<RecordEncoder<T>> encoders;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, Instant> time;
    private transient RecordEncoder<T> encoder;

    /**
     * Encodes with Avro's own writer ({@link AvroCodec}).
     *
     * @param key the record's Kafka key (may return null)
     * @param time the record's Kafka timestamp: when the record was made, not its event's time
     */
    public AvroRecordSerializer(
            String topic,
            Class<T> type,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, Instant> time) {
        this(topic, () -> AvroCodec.of(type), key, time);
    }

    /**
     * @param encoders makes the encoder each serializer instance uses (encoders reuse buffers)
     * @param key the record's Kafka key (may return null)
     * @param time the record's Kafka timestamp: when the record was made, not its event's time
     */
    public AvroRecordSerializer(
            String topic,
            SerializableSupplier<RecordEncoder<T>> encoders,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, Instant> time) {
        this.topic = topic;
        this.encoders = encoders;
        this.key = key;
        this.time = time;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        encoder = encoders.get();
    }

    /** Ignores {@code elementTimestamp} (the event's time): see the class comment. */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long elementTimestamp) {
        if (encoder == null) {
            encoder = encoders.get();
        }
        return new ProducerRecord<>(
                topic,
                null,
                time.apply(element).toEpochMilli(),
                key.apply(element),
                encoder.encode(element));
    }
}
