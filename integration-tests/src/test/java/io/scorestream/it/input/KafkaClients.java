package io.scorestream.it.input;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test producers and {@code read_committed} readers with any client properties (plain or secured
 * brokers alike), every send checked.
 */
public final class KafkaClients {

    /** A record to publish: key (may be null) and value (may be null or empty). */
    public record KeyValue(byte[] key, byte[] value) {}

    private final Properties properties;

    /**
     * @param properties bootstrap servers plus any security properties
     */
    public KafkaClients(Properties properties) {
        this.properties = properties;
    }

    public static KafkaClients plain(String bootstrapServers) {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return new KafkaClients(properties);
    }

    /** Avro-encodes events keyed by session id, so a session stays in one partition, in order. */
    public static List<KeyValue> keyedBySession(List<InferenceEvent> events) {
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        List<KeyValue> records = new ArrayList<>(events.size());
        for (InferenceEvent event : events) {
            byte[] key =
                    event.getSessionId() == null
                            ? null
                            : event.getSessionId()
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            records.add(new KeyValue(key, codec.encode(event)));
        }
        return records;
    }

    /** Publishes in order; returns where each record landed. */
    public List<RecordMetadata> publish(String topic, List<KeyValue> records) throws Exception {
        Properties producer = new Properties();
        producer.putAll(properties);
        producer.setProperty("acks", "all");
        producer.setProperty("enable.idempotence", "true");
        // Right after topic creation, retries with several requests in flight can reorder or drop.
        producer.setProperty("max.in.flight.requests.per.connection", "1");
        try (KafkaProducer<byte[], byte[]> client =
                new KafkaProducer<>(
                        producer, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (KeyValue record : records) {
                sends.add(client.send(new ProducerRecord<>(topic, record.key(), record.value())));
            }
            client.flush();
            List<RecordMetadata> landed = new ArrayList<>();
            for (Future<RecordMetadata> send : sends) {
                landed.add(send.get(30, TimeUnit.SECONDS));
            }
            return landed;
        }
    }

    /**
     * Reads {@code topic} from the start with {@code read_committed} until {@code until} holds, or
     * fails after {@code timeout}; then reads one more second, so extra records (duplicates) show.
     */
    public <T extends SpecificRecord> List<T> readCommitted(
            String topic, Class<T> type, Predicate<List<T>> until, Duration timeout) {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> client = consumer("read_committed")) {
            assignFromStart(client, topic);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!until.test(records)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "timed out after "
                                    + timeout
                                    + " reading "
                                    + topic
                                    + ": got "
                                    + records.size());
                }
                poll(client, codec, records);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                poll(client, codec, records);
            }
        }
        return records;
    }

    /**
     * Every record of {@code topic} up to its end when called, with its Kafka timestamp; {@code
     * read_uncommitted} includes records of aborted and open transactions.
     */
    public List<ConsumerRecord<byte[], byte[]>> recordsToEnd(String topic, String isolation) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> client = consumer(isolation)) {
            List<TopicPartition> partitions = assignFromStart(client, topic);
            Map<TopicPartition, Long> end = client.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> client.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out reading " + topic + " to its end");
                }
                client.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** {@link #recordsToEnd}, decoded. */
    public <T extends SpecificRecord> List<T> readToEnd(
            String topic, Class<T> type, String isolation) {
        AvroCodec<T> codec = AvroCodec.of(type);
        return recordsToEnd(topic, isolation).stream()
                .map(record -> codec.decode(record.value()))
                .toList();
    }

    /**
     * The first offset still in each partition of {@code topic}: above 0 where the broker's
     * retention (or a delete-records call) removed records.
     */
    public Map<Integer, Long> logStartOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> client = consumer("read_committed")) {
            Map<Integer, Long> first = new TreeMap<>();
            client.beginningOffsets(partitions(client, topic))
                    .forEach((partition, offset) -> first.put(partition.partition(), offset));
            return first;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties consumer = new Properties();
        consumer.putAll(properties);
        consumer.setProperty("isolation.level", isolation);
        consumer.setProperty("enable.auto.commit", "false");
        return new KafkaConsumer<>(
                consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> assignFromStart(
            KafkaConsumer<byte[], byte[]> client, String topic) {
        List<TopicPartition> partitions = partitions(client, topic);
        client.assign(partitions);
        client.seekToBeginning(partitions);
        return partitions;
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> client, String topic) {
        return client.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    private static <T extends SpecificRecord> void poll(
            KafkaConsumer<byte[], byte[]> client, AvroCodec<T> codec, List<T> records) {
        for (ConsumerRecord<byte[], byte[]> record : client.poll(Duration.ofMillis(200))) {
            records.add(codec.decode(record.value()));
        }
    }
}
