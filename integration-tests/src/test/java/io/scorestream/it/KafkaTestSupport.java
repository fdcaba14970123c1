package io.scorestream.it;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing test input and reading committed output, with every send checked. */
final class KafkaTestSupport {

    private KafkaTestSupport() {}

    /** Publishes records (key, value) in order and waits until the broker has them all. */
    static void publish(String bootstrap, String topic, List<byte[][]> keyValues) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        // Right after topic creation, retries with several requests in flight can reorder or drop.
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (byte[][] keyValue : keyValues) {
                sends.add(producer.send(new ProducerRecord<>(topic, keyValue[0], keyValue[1])));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Avro-encodes events keyed by session id (a session stays in one partition, in order). */
    static List<byte[][]> encode(List<InferenceEvent> events) {
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        List<byte[][]> records = new ArrayList<>();
        for (InferenceEvent event : events) {
            byte[] key =
                    event.getSessionId() == null
                            ? null
                            : event.getSessionId().getBytes(StandardCharsets.UTF_8);
            records.add(new byte[][] {key, codec.encode(event)});
        }
        return records;
    }

    /**
     * Reads {@code topic} from the beginning with {@code read_committed} until {@code until} holds
     * for what was read, or fails after {@code timeout}. Then reads one more second to catch
     * anything extra (a duplicate would show up there).
     */
    static <T extends SpecificRecord> List<T> readCommitted(
            String bootstrap,
            String topic,
            Class<T> type,
            Function<List<T>, Boolean> until,
            Duration timeout) {
        AvroCodec<T> codec = AvroCodec.of(type);
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("isolation.level", "read_committed");
        properties.setProperty("enable.auto.commit", "false");
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!until.apply(records)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "timed out after "
                                    + timeout
                                    + " reading "
                                    + topic
                                    + ": got "
                                    + records.size());
                }
                poll(consumer, codec, records);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                poll(consumer, codec, records);
            }
        }
        return records;
    }

    private static <T extends SpecificRecord> void poll(
            KafkaConsumer<byte[], byte[]> consumer, AvroCodec<T> codec, List<T> records) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            records.add(codec.decode(record.value()));
        }
    }
}
