package io.scorestream.jobs.bench;

import io.scorestream.jobs.stats.LatencyHistogram;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches an output topic: counts records and measures their latency from their event's time to
 * when this consumer sees it. With {@code read_committed} that is visibility latency, which
 * includes the checkpoint that commits the record; with {@code read_uncommitted} it sees records as
 * soon as they are written, which is what steady-state throughput is measured on.
 */
final class OutputWatcher implements Runnable, AutoCloseable {

    private final Properties properties = new Properties();
    private final String topic;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ToLongFunction<ConsumerRecord<byte[], byte[]>> eventTime;
    private final Thread thread;
    private volatile long measureFrom = Long.MAX_VALUE;

    private final CountDownLatch positioned = new CountDownLatch(1);

    /**
     * Records by the millisecond the broker appended them, from {@link #appendBase}, for topics
     * that log append times: how fast the records were written, however late this consumer reads
     * them (on a busy machine it falls behind and then reads in bursts).
     */
    private int[] appendedPerMilli = new int[1 << 16];

    private final long appendBase = System.currentTimeMillis() - 1_000;

    private OutputWatcher(
            String bootstrap,
            String topic,
            boolean committedOnly,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> eventTime) {
        properties.setProperty("bootstrap.servers", bootstrap);
        properties.setProperty(
                "isolation.level", committedOnly ? "read_committed" : "read_uncommitted");
        properties.setProperty("enable.auto.commit", "false");
        this.topic = topic;
        this.eventTime = eventTime;
        this.thread = new Thread(this, "bench-watch-" + topic);
    }

    /**
     * Watches with {@code read_committed}; {@code eventTime} finds a record's event time, for
     * latency.
     */
    static OutputWatcher committed(
            String bootstrap,
            String topic,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> eventTime) {
        return start(new OutputWatcher(bootstrap, topic, true, eventTime));
    }

    /**
     * Watches with {@code read_uncommitted}, to count records and, on a topic that logs append
     * times ({@code message.timestamp.type=LogAppendTime}), when they were written; measures no
     * latency.
     */
    static OutputWatcher uncommitted(String bootstrap, String topic) {
        return start(
                new OutputWatcher(
                        bootstrap,
                        topic,
                        false,
                        record -> {
                            throw new IllegalStateException("counts only");
                        }));
    }

    /**
     * The event time of a record copied from the input: its Kafka timestamp, which the benchmark
     * producer sets to the event's time.
     */
    static long copiedRecordEventTime(ConsumerRecord<byte[], byte[]> record) {
        return record.timestamp();
    }

    /**
     * The event time of a prediction: from its payload, since its Kafka timestamp is when it was
     * scored.
     */
    static ToLongFunction<ConsumerRecord<byte[], byte[]>> predictionEventTime() {
        AvroCodec<Prediction> codec = AvroCodec.of(Prediction.class);
        return record -> codec.decode(record.value()).getEventTime().toEpochMilli();
    }

    /** Starts the watcher and returns once its consumer is positioned on the whole topic. */
    private static OutputWatcher start(OutputWatcher watcher) {
        watcher.thread.start();
        try {
            if (!watcher.positioned.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("could not read " + watcher.topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting to read " + watcher.topic);
        }
        return watcher;
    }

    /** Latency counts only records of events from {@code eventTime} on (before: warm-up). */
    void measureLatencyFrom(long eventTime) {
        measureFrom = eventTime;
    }

    long count() {
        return count.get();
    }

    /** Waits until {@code records} have been seen, failing if none arrives for {@code stall}. */
    void awaitCount(long records, Duration stall) throws InterruptedException {
        long seen = count.get();
        long deadline = System.nanoTime() + stall.toNanos();
        while (count.get() < records) {
            if (count.get() != seen) {
                seen = count.get();
                deadline = System.nanoTime() + stall.toNanos();
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only "
                                + seen
                                + " of "
                                + records
                                + " records reached "
                                + topic
                                + ", none in the last "
                                + stall);
            }
            Thread.sleep(5);
        }
    }

    /**
     * When (epoch milliseconds) the broker had appended the first {@code counts[i]} records, for
     * each i (ascending counts, all seen already), on a topic that logs append times.
     */
    synchronized long[] appendedBy(long... counts) {
        long[] times = new long[counts.length];
        long cumulative = 0;
        int next = 0;
        for (int milli = 0; milli < appendedPerMilli.length && next < counts.length; milli++) {
            cumulative += appendedPerMilli[milli];
            while (next < counts.length && cumulative >= counts[next]) {
                times[next++] = appendBase + milli;
            }
        }
        if (next < counts.length) {
            throw new IllegalStateException(
                    "only " + cumulative + " records with append times on " + topic);
        }
        return times;
    }

    private synchronized void appended(long appendMillis) {
        int milli = (int) Math.max(0, appendMillis - appendBase);
        if (milli >= appendedPerMilli.length) {
            appendedPerMilli =
                    java.util.Arrays.copyOf(
                            appendedPerMilli, Math.max(milli + 1, 2 * appendedPerMilli.length));
        }
        appendedPerMilli[milli]++;
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
            partitions.forEach(consumer::position);
            positioned.countDown();
            while (!stopped.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    count.incrementAndGet();
                    if (record.timestampType() == TimestampType.LOG_APPEND_TIME) {
                        appended(record.timestamp());
                    }
                    if (measureFrom == Long.MAX_VALUE) {
                        continue;
                    }
                    long eventMillis = eventTime.applyAsLong(record);
                    if (eventMillis >= measureFrom) {
                        synchronized (latency) {
                            latency.record(System.currentTimeMillis() - eventMillis);
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
