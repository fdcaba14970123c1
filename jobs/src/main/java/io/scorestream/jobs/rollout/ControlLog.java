package io.scorestream.jobs.rollout;

import io.scorestream.operators.rollout.ControlRecords;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import io.scorestream.schemas.ModelRollout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
        AvroCodec<ModelRollout> codec = AvroCodec.of(ModelRollout.class);
        ModelRollout inForce = null;
        long read = 0;
        long ignored = 0;
        long undecodable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            if (partitions.isEmpty()) {
                throw new IllegalStateException(
                        "no topic '"
                                + topic
                                + "': create it (one partition is plenty; keep its records, e.g."
                                + " retention.ms=-1, as a fresh job replays them all)");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition =
                            new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= end.get(partition)) {
                        continue;
                    }
                    ModelRollout rollout;
                    try {
                        rollout = codec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        undecodable++;
                        continue;
                    }
                    if (!model.equals(rollout.getModel())) {
                        continue;
                    }
                    read++;
                    if (ControlRecords.judge(inForce, rollout).applied()) {
                        inForce = rollout;
                    } else {
                        ignored++;
                    }
                }
            }
        }
        return new State(inForce, read, ignored, undecodable);
    }

    /**
     * The topic's partitions; empty when it does not exist. A topic created a moment ago may not be
     * in the broker's metadata yet, so an empty answer is asked again for a few seconds.
     */
    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic) {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            if (!partitions.isEmpty() || System.nanoTime() > deadline) {
                return partitions;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while looking up " + topic, e);
            }
        }
    }

    private static boolean reachedEnd(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
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
