package io.scorestream.jobs.bench;

import io.scorestream.operators.ingest.RawRecord;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes the events of {@link LiveSessions}: a fixed number as fast as possible, or at a rate
 * for a while. Every producer draws the same events (one seed), so every case gets the same
 * traffic.
 */
final class BenchProducer implements AutoCloseable {

    private static final long SEED = 11;

    private final KafkaProducer<byte[], byte[]> producer;
    private final LiveSessions sessions;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /**
     * @param liveSessions sessions open at once in the traffic
     */
    BenchProducer(String bootstrap, int liveSessions) {
        sessions = new LiveSessions(SEED, liveSessions);
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        properties.setProperty("linger.ms", "5");
        properties.setProperty("batch.size", String.valueOf(256 * 1024));
        producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    void fill(String topic, long count) {
        for (long i = 0; i < count; i++) {
            send(topic);
        }
        producer.flush();
        throwIfFailed();
    }

    void streamAt(String topic, double perSecond, Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        while (System.nanoTime() < end) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
            while (sent < due) {
                send(topic);
                sent++;
            }
            Thread.sleep(1);
        }
        producer.flush();
        throwIfFailed();
    }

    /** Distinct sessions in the events sent so far. */
    long distinctSessions() {
        return sessions.distinctSessions();
    }

    private void send(String topic) {
        RawRecord record = sessions.next(System.currentTimeMillis());
        producer.send(
                new ProducerRecord<>(topic, null, record.timestamp, record.key, record.value),
                (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
    }

    private void throwIfFailed() {
        if (failure.get() != null) {
            throw new IllegalStateException("benchmark producer failed", failure.get());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
