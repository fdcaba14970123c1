package io.scorestream.jobs.config;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.record.DefaultRecord;
import org.apache.kafka.common.record.DefaultRecordBatch;

/**
 * Where the job reads and writes, and how it commits.
 *
 * @param deadLetterMaxBytes largest dead letter written, key and value together ({@code
 *     scorestream.dead-letters.max-size}); larger ones are truncated
 * @param commitOffsets whether the source commits its position to {@code groupId} on completed
 *     checkpoints (for lag monitoring only: never a position to start from)
 */
public record KafkaSettings(
        String bootstrapServers,
        String eventsTopic,
        String predictionsTopic,
        String deadLetterTopic,
        String groupId,
        StartingOffsets startingOffsets,
        boolean commitOffsets,
        DeliveryMode deliveryGuarantee,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Map<String, String> clientProperties,
        int deadLetterMaxBytes) {

    /** The producer property that bounds one request, hence one record. */
    public static final String MAX_REQUEST_SIZE = "max.request.size";

    /** Kafka's default {@code max.request.size}. */
    public static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    /**
     * The most bytes Kafka adds around one record's key and value, without headers: the batch
     * header and the record's own. A topic accepts a record when key + value + this fits its {@code
     * max.message.bytes}, a producer when it fits its {@code max.request.size}.
     */
    public static final int RECORD_OVERHEAD =
            DefaultRecordBatch.RECORD_BATCH_OVERHEAD + DefaultRecord.MAX_RECORD_OVERHEAD;

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * {@code max.request.size} of the sinks' producers: the one in {@code
     * scorestream.kafka.properties}, else Kafka's default, raised to fit the largest dead letter.
     *
     * @throws NumberFormatException when the configured value is not a whole number
     */
    public int producerMaxRequestSize() {
        String configured = clientProperties.get(MAX_REQUEST_SIZE);
        if (configured != null) {
            return Integer.parseInt(configured.strip());
        }
        return Math.max(KAFKA_DEFAULT_MAX_REQUEST_SIZE, deadLetterMaxBytes + RECORD_OVERHEAD);
    }

    /** Client properties shared by the source and sinks: bootstrap servers plus the extras. */
    public Properties clientPropertiesWithBootstrap() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /** Never prints secrets: values of password, secret, token and JAAS properties are masked. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers="
                + bootstrapServers
                + ", eventsTopic="
                + eventsTopic
                + ", predictionsTopic="
                + predictionsTopic
                + ", deadLetterTopic="
                + deadLetterTopic
                + ", groupId="
                + groupId
                + ", startingOffsets="
                + startingOffsets
                + ", commitOffsets="
                + commitOffsets
                + ", deliveryGuarantee="
                + deliveryGuarantee
                + ", transactionalIdPrefix="
                + transactionalIdPrefix
                + ", transactionTimeout="
                + transactionTimeout
                + ", clientProperties="
                + Secrets.masked(clientProperties)
                + ", deadLetterMaxBytes="
                + deadLetterMaxBytes
                + "]";
    }
}
