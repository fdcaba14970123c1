package io.scorestream.it.deploy;

import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test input into Kafka (every send checked) and committed output out of it. */
final class Topics {

    private Topics() {}

    static List<SyntheticSession> sessions(long seed, int count) {
        SyntheticSessions generator = new SyntheticSessions(seed);
        List<SyntheticSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(generator.next(1_767_225_600_000L + i * 1_000L));
        }
        return sessions;
    }

    static List<InferenceEvent> events(List<SyntheticSession> sessions) {
        return sessions.stream().flatMap(s -> s.events().stream()).toList();
    }

    /** A producer that keys events by session id, so a session stays in order in one partition. */
    static final class EventProducer implements AutoCloseable {
        private final String topic;
        private final KafkaProducer<byte[], byte[]> producer;
        private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);

        EventProducer(String bootstrap, String topic) {
            this.topic = topic;
            Properties properties = new Properties();
            properties.setProperty("bootstrap.servers", bootstrap);
            properties.setProperty("acks", "all");
            properties.setProperty("enable.idempotence", "true");
            // Right after topic creation, retries with several requests in flight can reorder or
            // drop.
            properties.setProperty("max.in.flight.requests.per.connection", "1");
            producer =
                    new KafkaProducer<>(
                            properties, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** Sends {@code events} in order and waits until the broker has them all. */
        void send(List<InferenceEvent> events) throws Exception {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (InferenceEvent event : events) {
                byte[] key = event.getSessionId().getBytes(StandardCharsets.UTF_8);
                sends.add(producer.send(new ProducerRecord<>(topic, key, codec.encode(event))));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /**
     * Reads {@code topic} from the beginning with {@code read_committed} until {@code until} holds,
     * then one more second so that a duplicate would show.
     */
    static List<Prediction> readCommitted(
            String bootstrap, String topic, Predicate<List<Prediction>> until, Duration timeout) {
        return read(bootstrap, topic, "read_committed", until, timeout);
    }

    /**
     * Every record of {@code topic} up to its end when called, for diagnosis: {@code
     * read_uncommitted} includes records of aborted and open transactions.
     */
    static <T extends org.apache.avro.specific.SpecificRecord> List<T> readToEnd(
            String bootstrap, String topic, Class<T> type, String isolation) {
        AvroCodec<T> codec = AvroCodec.of(type);
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("isolation.level", isolation);
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
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                poll(consumer, codec, records);
            }
        }
        return records;
    }

    /**
     * The first offset still in each partition of {@code topic}: above 0 where the broker's
     * retention (or a delete-records call) removed records, for diagnosis.
     */
    static Map<Integer, Long> logStartOffsets(String bootstrap, String topic) {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            Map<Integer, Long> first = new TreeMap<>();
            consumer.beginningOffsets(partitions)
                    .forEach((partition, offset) -> first.put(partition.partition(), offset));
            return first;
        }
    }

    private static List<Prediction> read(
            String bootstrap,
            String topic,
            String isolation,
            Predicate<List<Prediction>> until,
            Duration timeout) {
        return read(bootstrap, topic, Prediction.class, isolation, until, timeout);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
            String bootstrap,
            String topic,
            Class<T> type,
            String isolation,
            Predicate<List<T>> until,
            Duration timeout) {
        AvroCodec<T> codec = AvroCodec.of(type);
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("isolation.level", isolation);
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
                poll(consumer, codec, records);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                poll(consumer, codec, records);
            }
        }
        return records;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> void poll(
            KafkaConsumer<byte[], byte[]> consumer, AvroCodec<T> codec, List<T> records) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            records.add(codec.decode(record.value()));
        }
    }
}
