package io.scorestream.jobs.rollout;

import io.scorestream.jobs.kafka.TopicToEnd;
import io.scorestream.operators.rollout.ControlRecords;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.ModelRollout;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The control topic read from its start to its end at the time of the call, folded by the same
 * {@link ControlRecords} rules the job applies, so the command line sees the rollout in force that
 * the job sees.
 */
final class ControlLog {

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration METADATA_WAIT = Duration.ofSeconds(5);

    /**
     * The rollout in force for one model.
     *
     * @param inForce the last applied record for the model, or null
     * @param read records of the model that decoded
     * @param ignored records of the model that were invalid or stale
     * @param undecodable records on the topic that are no ModelRollout
     */
    record State(ModelRollout inForce, long read, long ignored, long undecodable) {}

    private final Properties clientProperties;

    ControlLog(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    /**
     * @throws IllegalStateException when the topic does not exist or cannot be read to its end
     */
    State read(String topic, String model) {
        Folded folded = new Folded(model);
        long undecodable;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = TopicToEnd.partitions(consumer, topic, METADATA_WAIT);
            if (partitions.isEmpty()) {
                throw new IllegalStateException(
                        "no topic '"
                                + topic
                                + "': create it (one partition is plenty; keep its records, e.g."
                                + " retention.ms=-1, as a fresh job replays them all)");
            }
            undecodable =
                    TopicToEnd.read(
                            consumer,
                            topic,
                            partitions,
                            AvroCodec.of(ModelRollout.class),
                            READ_TIMEOUT,
                            folded::add);
        }
        return new State(folded.inForce, folded.read, folded.ignored, undecodable);
    }

    /** One model's records folded in order, as the job folds them. */
    private static final class Folded {
        private final String model;
        ModelRollout inForce;
        long read;
        long ignored;

        Folded(String model) {
            this.model = model;
        }

        boolean add(ModelRollout rollout) {
            if (model.equals(rollout.getModel())) {
                read++;
                if (ControlRecords.judge(inForce, rollout).applied()) {
                    inForce = rollout;
                } else {
                    ignored++;
                }
            }
            return true;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("enable.auto.commit", "false");
        properties.remove("group.id");
        return new KafkaConsumer<>(
                properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
