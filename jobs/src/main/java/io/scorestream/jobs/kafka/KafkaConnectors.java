package io.scorestream.jobs.kafka;

import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production Kafka source and sinks of the scoring job, built from its settings. */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    /**
     * The events. The source's position lives in the job's checkpoints; it is committed to the
     * consumer group only with {@code scorestream.kafka.commit-offsets} (for lag monitoring), since
     * a committed offset runs ahead of events still in flight in the checkpoint.
     */
    public static KafkaSource<RawRecord> eventSource(KafkaSettings kafka) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(kafka.clientPropertiesWithBootstrap())
                .setTopics(kafka.eventsTopic())
                .setGroupId(kafka.groupId())
                .setStartingOffsets(startingOffsets(kafka))
                .setProperty(
                        KafkaSourceOptions.COMMIT_OFFSETS_ON_CHECKPOINT.key(),
                        String.valueOf(kafka.commitOffsets()))
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /**
     * Exactly-once (as configured) predictions, keyed by session id and stamped with their scored
     * time, so the topic's retention counts from when a prediction was made, not from its event.
     */
    public static KafkaSink<Prediction> predictionSink(KafkaSettings kafka) {
        return sink(kafka, "predictions", predictionSerializer(kafka.predictionsTopic()));
    }

    /** Dead letters, keyed like the original record and stamped with their dead-letter time. */
    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings kafka) {
        return sink(kafka, "dead-letters", deadLetterSerializer(kafka.deadLetterTopic()));
    }

    static AvroRecordSerializer<Prediction> predictionSerializer(String topic) {
        return new AvroRecordSerializer<>(
                topic, Prediction.class, KafkaConnectors::sessionKey, Prediction::getScoredTime);
    }

    static AvroRecordSerializer<DeadLetter> deadLetterSerializer(String topic) {
        return new AvroRecordSerializer<>(
                topic,
                DeadLetter.class,
                KafkaConnectors::originalKey,
                DeadLetter::getDeadLetterTime);
    }

    private static <T> KafkaSink<T> sink(
            KafkaSettings kafka, String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(kafka.clientPropertiesWithBootstrap())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(kafka.deliveryGuarantee().toFlink())
                // Two exactly-once sinks in one job need distinct transactional ids.
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + name)
                .setProperty(
                        "transaction.timeout.ms",
                        String.valueOf(kafka.transactionTimeout().toMillis()))
                .build();
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

    private static byte[] originalKey(DeadLetter letter) {
        ByteBuffer key = letter.getOriginalKey();
        if (key == null) {
            return null;
        }
        byte[] bytes = new byte[key.remaining()];
        key.duplicate().get(bytes);
        return bytes;
    }
}
