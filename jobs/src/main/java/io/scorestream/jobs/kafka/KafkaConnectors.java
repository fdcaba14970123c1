package io.scorestream.jobs.kafka;

import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.PredictionEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production Kafka source and sinks of the scoring job, built from its settings. */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    /**
     * The events, read {@code read_committed} unless {@code scorestream.kafka.properties} says
     * otherwise: records of an upstream transaction that was aborted are never scored.
     *
     * <p>The source's position lives in the job's checkpoints; it is committed to the consumer
     * group only with {@code scorestream.kafka.commit-offsets} (for lag monitoring), since a
     * committed offset runs ahead of events still in flight in the checkpoint.
     */
    public static KafkaSource<RawRecord> eventSource(KafkaSettings kafka) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(sourceProperties(kafka))
                .setTopics(kafka.eventsTopic())
                .setGroupId(kafka.groupId())
                .setStartingOffsets(startingOffsets(kafka))
                .setProperty(
                        KafkaSourceOptions.COMMIT_OFFSETS_ON_CHECKPOINT.key(),
                        String.valueOf(kafka.commitOffsets()))
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /** The source's client properties: the job's, with {@code read_committed} by default. */
    static Properties sourceProperties(KafkaSettings kafka) {
        Properties properties = kafka.clientPropertiesWithBootstrap();
        // Kafka's own default is read_uncommitted: an exactly-once upstream's aborted records
        // would be scored. A user's explicit isolation.level still wins.
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return properties;
    }

    /**
     * Exactly-once (as configured) predictions, keyed by session id and stamped with their scored
     * time, so the topic's retention counts from when a prediction was made, not from its event.
     */
    public static FailoverSafeKafkaSink<Prediction> predictionSink(KafkaSettings kafka) {
        return sink(kafka, "predictions", predictionSerializer(kafka.predictionsTopic()));
    }

    /**
     * Dead letters, keyed like the original record, stamped with their dead-letter time, and cut to
     * fit {@code scorestream.dead-letters.max-size}.
     */
    public static FailoverSafeKafkaSink<DeadLetter> deadLetterSink(KafkaSettings kafka) {
        return sink(
                kafka,
                "dead-letters",
                new DeadLetterRecordSerializer(
                        kafka.deadLetterTopic(), kafka.deadLetterMaxBytes()));
    }

    static AvroRecordSerializer<Prediction> predictionSerializer(String topic) {
        // One prediction per event: written by the hand-written encoder, not Avro's writer.
        return new AvroRecordSerializer<>(
                topic,
                PredictionEncoder::new,
                KafkaConnectors::sessionKey,
                Prediction::getScoredTime);
    }

    private static <T> FailoverSafeKafkaSink<T> sink(
            KafkaSettings kafka, String name, KafkaRecordSerializationSchema<T> serializer) {
        KafkaSink<T> sink =
                KafkaSink.<T>builder()
                        .setKafkaProducerConfig(kafka.clientPropertiesWithBootstrap())
                        .setRecordSerializer(serializer)
                        .setDeliveryGuarantee(kafka.deliveryGuarantee().toFlink())
                        // Two exactly-once sinks in one job need distinct transactional ids.
                        .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + name)
                        .setProperty(
                                "transaction.timeout.ms",
                                String.valueOf(kafka.transactionTimeout().toMillis()))
                        // Explicit, so a dead letter of the largest size the settings allow is
                        // accepted by
                        // the producer; start-up checks it against the topics' max.message.bytes.
                        .setProperty(
                                KafkaSettings.MAX_REQUEST_SIZE,
                                String.valueOf(kafka.producerMaxRequestSize()))
                        .build();
        return new FailoverSafeKafkaSink<>(sink, name);
    }

    private static OffsetsInitializer startingOffsets(KafkaSettings kafka) {
        return switch (kafka.startingOffsets()) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED_OR_EARLIEST ->
                    OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }

    private static byte[] sessionKey(Prediction prediction) {
        return prediction.getSessionId().getBytes(StandardCharsets.UTF_8);
    }
}
