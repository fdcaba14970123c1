package io.scorestream.jobs.config;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** Where the job reads and writes, and how it commits. */
public record KafkaSettings(
        String bootstrapServers,
        String eventsTopic,
        String predictionsTopic,
        String deadLetterTopic,
        String groupId,
        StartingOffsets startingOffsets,
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
