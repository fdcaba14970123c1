// A Kafka broker and test data for trying the local Flink cluster (bin/scorestream cluster kafka ...).
// Run with Java's source launcher on the project's classpath:
//   broker DIR            start the project's embedded broker, create the topics, write DIR/bootstrap, wait
//   produce HOST:PORT N   publish N synthetic sessions (Avro InferenceEvent keyed by session) to `events`
//   count HOST:PORT       committed predictions (read_committed): records and distinct event ids

import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class KafkaTool {

    static final List<String> TOPICS = List.of("events", "predictions", "events.dlq", "model-control");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "broker" -> broker(Path.of(args[1]));
            case "produce" -> produce(args[1], Integer.parseInt(args[2]));
            case "count" -> count(args[1]);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static void broker(Path dir) throws Exception {
        Files.createDirectories(dir);
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("data"), Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        kafka.close();
                                    } catch (Exception e) {
                                        System.err.println(
                                                "Kafka broker did not stop cleanly: " + e);
                                    }
                                    stopped.countDown();
                                }));
        kafka.createTopics(3, TOPICS);
        Files.writeString(dir.resolve("bootstrap"), kafka.bootstrapServers());
        System.out.println("Kafka is up at " + kafka.bootstrapServers());
        stopped.await();
    }

    static void produce(String bootstrap, int sessions) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        SyntheticSessions generator = new SyntheticSessions(System.nanoTime());
        long start = System.currentTimeMillis();
        int events = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                SyntheticSession session = generator.next(start + i * 1_000L);
                for (InferenceEvent event : session.events()) {
                    byte[] key = event.getSessionId().getBytes(StandardCharsets.UTF_8);
                    sends.add(producer.send(new ProducerRecord<>("events", key, codec.encode(event))));
                    events++;
                }
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
        System.out.println("published " + events + " events of " + sessions + " sessions to events");
    }

    static void count(String bootstrap) {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("isolation.level", "read_committed");
        properties.setProperty("enable.auto.commit", "false");
        AvroCodec<Prediction> codec = AvroCodec.of(Prediction.class);
        long records = 0;
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor("predictions").stream()
                            .map(p -> new TopicPartition("predictions", p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    ids.add(codec.decode(record.value()).getEventId());
                }
            }
        }
        System.out.println(
                "predictions (read_committed): " + records + " records, " + ids.size() + " distinct event ids");
    }
}
