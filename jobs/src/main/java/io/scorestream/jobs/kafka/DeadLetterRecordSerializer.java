package io.scorestream.jobs.kafka;

import io.scorestream.operators.deadletter.DeadLetterTrimmer;
import io.scorestream.schemas.DeadLetter;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes dead letters as plain Avro binary, keyed like the original record and stamped with their
 * dead-letter time (see {@link AvroRecordSerializer} for why not the event's), each cut to fit
 * {@code maxBytes} by a {@link DeadLetterTrimmer}. Truncated dead letters are counted in the sink's
 * metric {@code deadLettersTruncated}.
 */
public final class DeadLetterRecordSerializer
        implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int maxBytes;
    private transient DeadLetterTrimmer trimmer;
    private transient Counter truncated;

    /**
     * @param maxBytes largest record written, key and value together
     */
    public DeadLetterRecordSerializer(String topic, int maxBytes) {
        this.topic = topic;
        this.maxBytes = maxBytes;
        new DeadLetterTrimmer(maxBytes); // fails fast on a limit too small for any dead letter
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        trimmer = new DeadLetterTrimmer(maxBytes);
        // The exactly-once writer opens its serializer twice (its own constructor and
        // KafkaWriter's): register the counter once, or Flink warns of a name collision.
        if (truncated == null) {
            truncated = context.getMetricGroup().counter("deadLettersTruncated");
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long elementTimestamp) {
        if (trimmer == null) {
            trimmer = new DeadLetterTrimmer(maxBytes);
        }
        DeadLetterTrimmer.Trimmed written = trimmer.trim(letter);
        if (written.truncated() && truncated != null) {
            truncated.inc();
        }
        return new ProducerRecord<>(
                topic,
                null,
                letter.getDeadLetterTime().toEpochMilli(),
                written.key(),
                written.value());
    }
}
