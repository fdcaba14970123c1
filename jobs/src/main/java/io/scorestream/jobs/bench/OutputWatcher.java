package io.scorestream.jobs.bench;

import io.scorestream.jobs.stats.LatencyHistogram;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches an output topic: counts records and measures their latency from the record's timestamp
 * (its event's time) to when this consumer sees it. With {@code read_committed} that is visibility
 * latency, which includes the checkpoint that commits the record; with {@code read_uncommitted} it
 * sees records as soon as they are written, which is what steady-state throughput is measured on.
 */
final class OutputWatcher implements Runnable, AutoCloseable {

    private final Properties properties = new Properties();
    private final String topic;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Thread thread;
    private volatile long measureFrom = Long.MAX_VALUE;

    private OutputWatcher(String bootstrap, String topic, boolean committedOnly) {
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty(
                "isolation.level", committedOnly ? "read_committed" : "read_uncommitted");
        properties.setProperty("enable.auto.commit", "false");
        this.topic = topic;
        this.thread = new Thread(this, "bench-watch-" + topic);
    }

    static OutputWatcher committed(String bootstrap, String topic) {
        return start(new OutputWatcher(bootstrap, topic, true));
    }

    static OutputWatcher uncommitted(String bootstrap, String topic) {
        return start(new OutputWatcher(bootstrap, topic, false));
    }

    private static OutputWatcher start(OutputWatcher watcher) {
        watcher.thread.start();
        return watcher;
    }

    /** Latency counts only records of events from {@code eventTime} on (before: warm-up). */
    void measureLatencyFrom(long eventTime) {
        measureFrom = eventTime;
    }

    long count() {
        return count.get();
    }

    /** Waits until {@code records} have been seen; returns the time (nanoTime) it happened. */
    long awaitCount(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + count.get() + " of " + records + " records reached " + topic);
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopped.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    count.incrementAndGet();
                    if (record.timestamp() >= measureFrom) {
                        synchronized (latency) {
                            latency.record(System.currentTimeMillis() - record.timestamp());
                        }
                    }
                }
            }
        }
    }

    long percentileMillis(double quantile) {
        synchronized (latency) {
            return latency.percentile(quantile);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        thread.join();
    }
}
