package io.scorestream.jobs.kafka;

import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.schemas.ModelRollout;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * The control topic of live rollouts ({@code scorestream.kafka.topic.control}): Avro {@link
 * ModelRollout} records keyed by model name, so one model's records stay in order in one partition
 * and the last one read is the rollout in force. Uses the same client properties (security
 * included) as the job's other Kafka clients.
 */
public final class ControlTopic {

    private ControlTopic() {}

    /**
     * The control records, for broadcast. A job without state reads the topic from its earliest
     * offset, so the whole log replays and the last record per model wins; a restored job resumes
     * from the offsets in its checkpoint, beside the broadcast state they produced. Undecodable
     * records are logged and skipped ({@link ModelRolloutDeserializer}).
     */
    public static KafkaSource<ModelRollout> source(KafkaSettings kafka, String topic) {
        return sourceBuilder(kafka, topic).build();
    }

    /** The builder of {@link #source}, for tests that bound it. */
    public static KafkaSourceBuilder<ModelRollout> sourceBuilder(
            KafkaSettings kafka, String topic) {
        return KafkaSource.<ModelRollout>builder()
                .setProperties(kafka.clientPropertiesWithBootstrap())
                .setTopics(topic)
                // Committed only to show the lag; where to resume comes from the checkpoint.
                .setGroupId(kafka.groupId() + "-control")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelRolloutDeserializer());
    }

    /**
     * Where the rollback guard publishes its decisions. AT_LEAST_ONCE, without transactions: a
     * rollback must be visible to the job and to people at once, not at the next checkpoint, and a
     * duplicate does no harm (same id, and it names the rollout it replaces).
     */
    public static FailoverSafeKafkaSink<ModelRollout> sink(KafkaSettings kafka, String topic) {
        KafkaSink<ModelRollout> sink =
                KafkaSink.<ModelRollout>builder()
                        .setKafkaProducerConfig(kafka.clientPropertiesWithBootstrap())
                        .setRecordSerializer(
                                new AvroRecordSerializer<>(
                                        topic,
                                        ModelRollout.class,
                                        ControlTopic::key,
                                        ModelRollout::getIssuedAt))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build();
        return new FailoverSafeKafkaSink<>(sink, topic);
    }

    /** The Kafka key of a control record: its model name, in UTF-8. */
    public static byte[] key(ModelRollout rollout) {
        return rollout.getModel().getBytes(StandardCharsets.UTF_8);
    }
}
