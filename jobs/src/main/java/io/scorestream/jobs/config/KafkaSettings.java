package io.scorestream.jobs.config;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Where the job reads and writes, and how it commits.
 *
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
        Map<String, String> clientProperties) {

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
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
                + "]";
    }
}
