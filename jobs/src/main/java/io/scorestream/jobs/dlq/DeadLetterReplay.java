package io.scorestream.jobs.dlq;

import io.scorestream.jobs.kafka.ReplayHeaders;
import io.scorestream.jobs.kafka.TopicToEnd;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-publishes the original records of chosen dead letters: reads the dead-letter topic from its
 * start to its end at the time of the call ({@code read_committed}, so letters of aborted job
 * attempts are never replayed), keeps those with a chosen reason, and sends each one's original key
 * and value to the target topic, in the order read, with headers naming where it came from and the
 * stage that rejected it ({@link ReplayHeaders}). Sent back to the topic it was read from, a record
 * goes to its original partition (whatever partitioner its producer used); elsewhere its key picks
 * the partition. Truncated dead letters (their value is incomplete) are skipped and counted. Every
 * send is confirmed before it returns.
 */
public final class DeadLetterReplay {

    /** Header of a replayed record: its original topic/partition@offset, when known. */
    public static final String REPLAYED_FROM_HEADER = ReplayHeaders.FROM;

    /** Header of a replayed record: the stage that dead-lettered it. */
    public static final String REPLAYED_STAGE_HEADER = ReplayHeaders.STAGE;

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final Properties clientProperties;

    /**
     * @param clientProperties Kafka client properties (bootstrap servers, security)
     */
    public DeadLetterReplay(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    /**
     * {@code scorestream replay-dlq}: replays and prints a one-line summary; 0 on success, 1 when
     * Kafka failed (the reason on standard error).
     */
    public static int run(ReplayOptions options, PrintStream out) throws IOException {
        Properties properties = new Properties();
        if (options.clientConfig() != null) {
            try (Reader reader = Files.newBufferedReader(options.clientConfig())) {
                properties.load(reader);
            }
        }
        properties.setProperty("bootstrap.servers", options.bootstrap());
        try {
            ReplayResult result = new DeadLetterReplay(properties).replay(options);
            out.println(result.summary(options.fromTopic(), options.toTopic()));
            return 0;
        } catch (KafkaException | IllegalStateException e) {
            // Kafka's messages name no property values, so no secret is printed here.
            System.err.println("replay-dlq failed: " + e.getMessage());
            return 1;
        }
    }

    public ReplayResult replay(ReplayOptions options) {
        long unreadable;
        Replaying replaying;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                KafkaProducer<byte[], byte[]> producer = producer()) {
            replaying = new Replaying(options, producer);
            List<TopicPartition> partitions =
                    TopicToEnd.partitions(consumer, options.fromTopic(), Duration.ZERO);
            if (partitions.isEmpty()) {
                throw new IllegalStateException("no topic " + options.fromTopic());
            }
            unreadable =
                    TopicToEnd.read(
                            consumer,
                            options.fromTopic(),
                            partitions,
                            AvroCodec.of(DeadLetter.class),
                            READ_TIMEOUT,
                            replaying::send);
            producer.flush();
            for (Future<RecordMetadata> send : replaying.sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "replaying to " + options.toTopic() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not confirm a replayed record in 30 s", e);
        }
        return new ReplayResult(
                replaying.read,
                replaying.replayed,
                unreadable,
                replaying.truncated,
                replaying.byReason);
    }

    /** Sends the dead letters the options want, up to their limit, and counts what it saw. */
    private static final class Replaying {
        private final ReplayOptions options;
        private final KafkaProducer<byte[], byte[]> producer;
        final List<Future<RecordMetadata>> sends = new ArrayList<>();
        final Map<String, Long> byReason = new HashMap<>();
        long read;
        long replayed;
        long truncated;

        Replaying(ReplayOptions options, KafkaProducer<byte[], byte[]> producer) {
            this.options = options;
            this.producer = producer;
        }

        /** Returns whether to read on: false once the limit is reached. */
        boolean send(DeadLetter letter) {
            read++;
            if (options.wants(letter.getReason()) && letter.getTruncated()) {
                truncated++;
            } else if (options.wants(letter.getReason())) {
                sends.add(producer.send(original(options.toTopic(), letter)));
                replayed++;
                byReason.merge(letter.getReason(), 1L, Long::sum);
            }
            return replayed < options.limit();
        }
    }

    static ProducerRecord<byte[], byte[]> original(String topic, DeadLetter letter) {
        // Back where it came from: the same partition, so it stays with its session's records
        // even when the original producer's partitioner is not Kafka's (librdkafka's, say).
        Integer partition =
                topic.equals(letter.getSourceTopic()) ? letter.getSourcePartition() : null;
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(
                        topic,
                        partition,
                        bytes(letter.getOriginalKey()),
                        bytes(letter.getOriginalValue()));
        if (letter.getStage() != null) {
            record.headers()
                    .add(REPLAYED_STAGE_HEADER, letter.getStage().getBytes(StandardCharsets.UTF_8));
        }
        if (letter.getSourceTopic() != null) {
            String from =
                    letter.getSourceTopic()
                            + "/"
                            + letter.getSourcePartition()
                            + "@"
                            + letter.getSourceOffset();
            record.headers().add(REPLAYED_FROM_HEADER, from.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("isolation.level", "read_committed");
        properties.setProperty("enable.auto.commit", "false");
        return new KafkaConsumer<>(
                properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        // Keep the dead letters' order even when a send is retried.
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
