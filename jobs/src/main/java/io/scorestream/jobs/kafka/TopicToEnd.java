package io.scorestream.jobs.kafka;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic from its start to its end as of the call, each value decoded as one Avro record:
 * how the command-line tools read what the job wrote (the control topic, the dead letters). Under
 * {@code read_committed} the end is the last stable offset, the end of what is committed.
 */
public final class TopicToEnd {

    private static final Duration POLL = Duration.ofMillis(200);

    /** What to do with each decoded record. */
    @FunctionalInterface
    public interface Visitor<T> {
        /** Returns false to stop reading. */
        boolean visit(T record);
    }

    private TopicToEnd() {}

    /**
     * The topic's partitions; empty when it does not exist. A topic created a moment ago may not be
     * in the broker's metadata yet, so an empty answer is asked again for up to {@code wait}.
     */
    public static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            if (!partitions.isEmpty() || System.nanoTime() - deadline > 0) {
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

    /**
     * Reads {@code partitions} of {@code topic} from the start to their end offsets as of now,
     * handing every record that decodes to {@code visitor} until it says stop.
     *
     * @return how many values did not decode as a {@code T}
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public static <T extends SpecificRecord> long read(
            KafkaConsumer<byte[], byte[]> consumer,
            String topic,
            List<TopicPartition> partitions,
            AvroCodec<T> codec,
            Duration timeout,
            Visitor<T> visitor) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + timeout.toNanos();
        long undecodable = 0;
        boolean reading = true;
        while (reading && !reachedEnd(consumer, end)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "could not read " + topic + " to its end within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (!reading || record.offset() >= end.get(partition)) {
                    continue;
                }
                T decoded;
                try {
                    decoded = codec.decode(record.value());
                } catch (AvroDecodeException e) {
                    undecodable++;
                    continue;
                }
                reading = visitor.visit(decoded);
            }
        }
        return undecodable;
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
}
