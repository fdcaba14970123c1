package io.scorestream.jobs.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.config.UsageException;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.kafka.ReplayHeaders;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code scorestream replay-dlq} against a real in-process broker. */
class DeadLetterReplayTest {

    private static EmbeddedKafka kafka;
    private static final AvroCodec<DeadLetter> CODEC = AvroCodec.of(DeadLetter.class);

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void republishesTheOriginalsOfTheChosenReasonsOnlyCommittedOnesInOrder() throws Exception {
        String dlq = "dlq-" + UUID.randomUUID();
        String events = "events-" + UUID.randomUUID();
        kafka.createTopics(1, List.of(dlq, events));
        List<DeadLetter> letters =
                List.of(
                        letter("k1", "v1", "LATE_EVENT", 10),
                        letter("k2", "v2", "MISSING_KEY", 11),
                        letter(null, "v3", "LATE_EVENT", 12),
                        letter("k4", "v4", "OUT_OF_RANGE_FEATURE", 13),
                        letter("k5", "v5", "LATE_EVENT", 14));
        publish(dlq, letters);
        publishAborted(dlq, letter("k6", "v6", "LATE_EVENT", 15));
        publishRaw(dlq, "not a dead letter".getBytes());

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit =
                DeadLetterReplay.run(
                        ReplayOptions.parse(
                                List.of(
                                        "--bootstrap",
                                        kafka.bootstrapServers(),
                                        "--from-topic",
                                        dlq,
                                        "--to-topic",
                                        events,
                                        "--reason",
                                        "LATE_EVENT",
                                        "--reason",
                                        "OUT_OF_RANGE_FEATURE")),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(exit).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("replayed 4 of 5 dead letters from " + dlq + " to " + events)
                .contains("LATE_EVENT=3", "OUT_OF_RANGE_FEATURE=1")
                .contains("skipped 1 records that are not dead letters");
        List<ConsumerRecord<byte[], byte[]>> replayed = readAll(events, 4);
        assertThat(replayed)
                .extracting(r -> text(r.key()) + "=" + text(r.value()))
                .containsExactly("k1=v1", "null=v3", "k4=v4", "k5=v5");
        Header from = replayed.get(0).headers().lastHeader(DeadLetterReplay.REPLAYED_FROM_HEADER);
        assertThat(text(from.value())).isEqualTo("events/2@10");
        Header stage = replayed.get(0).headers().lastHeader(DeadLetterReplay.REPLAYED_STAGE_HEADER);
        assertThat(text(stage.value())).isEqualTo("validate");
    }

    @Test
    void aRecordGoesBackToItsOwnPartitionAndTruncatedLettersAreSkipped() throws Exception {
        String dlq = "dlq-" + UUID.randomUUID();
        String events = "events-" + UUID.randomUUID();
        kafka.createTopics(3, List.of(dlq, events));
        DeadLetter fromInference = letter("session-7", "v1", "INFERENCE_FAILED", 40);
        fromInference.setSourceTopic(events);
        fromInference.setSourcePartition(2);
        fromInference.setStage("inference");
        DeadLetter cut = letter("session-8", "v2", "INFERENCE_FAILED", 41);
        cut.setTruncated(true);
        publish(dlq, List.of(fromInference, cut));

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DeadLetterReplay.run(
                ReplayOptions.parse(
                        List.of(
                                "--bootstrap",
                                kafka.bootstrapServers(),
                                "--from-topic",
                                dlq,
                                "--to-topic",
                                events)),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("replayed 1 of 2 dead letters")
                .contains("skipped 1 truncated dead letters");
        List<ConsumerRecord<byte[], byte[]>> replayed = readAll(events, 1);
        assertThat(replayed).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = replayed.get(0);
        // Kafka's own partitioner would put "session-7" elsewhere among 3 partitions.
        assertThat(record.partition()).isEqualTo(2);
        assertThat(text(record.key())).isEqualTo("session-7");
        assertThat(text(record.value())).isEqualTo("v1");
        assertThat(text(record.headers().lastHeader(ReplayHeaders.STAGE).value()))
                .isEqualTo("inference");
    }

    @Test
    void replaysAtMostTheLimit() throws Exception {
        String dlq = "dlq-" + UUID.randomUUID();
        String events = "events-" + UUID.randomUUID();
        kafka.createTopics(2, List.of(dlq, events));
        publish(
                dlq,
                List.of(
                        letter("a", "1", "UNDECODABLE", 1),
                        letter("b", "2", "UNDECODABLE", 2),
                        letter("c", "3", "UNDECODABLE", 3)));
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", kafka.bootstrapServers());

        ReplayResult result =
                new DeadLetterReplay(client)
                        .replay(
                                ReplayOptions.parse(
                                        List.of(
                                                "--bootstrap",
                                                kafka.bootstrapServers(),
                                                "--from-topic",
                                                dlq,
                                                "--to-topic",
                                                events,
                                                "--limit",
                                                "2")));

        assertThat(result.replayed()).isEqualTo(2);
        assertThat(readAll(events, 2)).hasSize(2);
    }

    @Test
    void refusesBadCommandLines() {
        assertThatThrownBy(() -> ReplayOptions.parse(List.of("--reason", "LATE_EVENT")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--bootstrap is required");
        assertThatThrownBy(
                        () ->
                                ReplayOptions.parse(
                                        List.of("--bootstrap", "k:9092", "--reason", "LATE")))
                .hasMessageContaining("--reason LATE is not a dead-letter reason")
                .hasMessageContaining("LATE_EVENT");
        assertThatThrownBy(
                        () ->
                                ReplayOptions.parse(
                                        List.of(
                                                "--bootstrap",
                                                "k:9092",
                                                "--to-topic",
                                                "events.dlq")))
                .hasMessageContaining("must differ");
        assertThatThrownBy(
                        () -> ReplayOptions.parse(List.of("--bootstrap", "k:9092", "--limit", "0")))
                .hasMessageContaining("--limit must be a positive whole number");
        ReplayOptions defaults = ReplayOptions.parse(List.of("--bootstrap", "k:9092"));
        assertThat(defaults.fromTopic()).isEqualTo("events.dlq");
        assertThat(defaults.toTopic()).isEqualTo("events");
        assertThat(defaults.wants("ANYTHING")).isTrue();
    }

    // ---------------------------------------------------------------------------------------

    private static DeadLetter letter(String key, String value, String reason, long offset) {
        return DeadLetter.newBuilder()
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key.getBytes()))
                .setOriginalValue(ByteBuffer.wrap(value.getBytes()))
                .setSourceTopic("events")
                .setSourcePartition(2)
                .setSourceOffset(offset)
                .setStage("validate")
                .setReason(reason)
                .setMessage("test")
                .setDeadLetterTime(Instant.ofEpochMilli(1_000))
                .build();
    }

    private static Properties producerProperties() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", kafka.bootstrapServers());
        properties.setProperty("acks", "all");
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        return properties;
    }

    private static void publish(String topic, List<DeadLetter> letters) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (DeadLetter letter : letters) {
                producer.send(new ProducerRecord<>(topic, null, CODEC.encode(letter))).get();
            }
        }
    }

    private static void publishRaw(String topic, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, value)).get();
        }
    }

    /** A dead letter of a job attempt that failed: written in a transaction that was aborted. */
    private static void publishAborted(String topic, DeadLetter letter) throws Exception {
        Properties properties = producerProperties();
        properties.setProperty("transactional.id", "aborted-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, null, CODEC.encode(letter))).get();
            producer.abortTransaction();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", kafka.bootstrapServers());
        properties.setProperty("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // Anything beyond the expected count would show up now.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }
}
