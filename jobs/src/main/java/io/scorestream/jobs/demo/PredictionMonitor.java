package io.scorestream.jobs.demo;

import io.scorestream.jobs.stats.LatencyHistogram;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions and dead letters the way a downstream consumer would ({@code
 * read_committed}) and keeps the demo's figures: distinct events scored, dead letters, latency,
 * batch size, and the scores against the hidden labels for AUC. Counts only this run's events.
 */
final class PredictionMonitor implements Runnable {

    /** A consistent view of the figures. */
    record Snapshot(
            long scored,
            long duplicates,
            long deadLetters,
            long p50Millis,
            long p99Millis,
            long windowCount,
            long windowP50Millis,
            long windowP99Millis,
            long visibleP50Millis,
            double meanBatchSize,
            long firstEventTime,
            long lastScoredTime) {}

    private final Properties consumerProperties;
    private final String predictionsTopic;
    private final String deadLetterTopic;
    private final Map<String, Boolean> labels;
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** Events before this time warm the JVM up: counted and scored, left out of latency. */
    private volatile long latencyFromEventTime = Long.MAX_VALUE;

    private final Set<String> scoredIds = new HashSet<>();
    private final List<Float> scores = new ArrayList<>();
    private final List<Boolean> scoreLabels = new ArrayList<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LatencyHistogram windowLatency = new LatencyHistogram();
    private final LatencyHistogram visibility = new LatencyHistogram();
    private long duplicates;
    private long deadLetters;
    private long batchSizeSum;
    private long firstEventTime = Long.MAX_VALUE;
    private long lastScoredTime;
    private volatile Exception failure;

    PredictionMonitor(
            String bootstrapServers,
            String predictionsTopic,
            String deadLetterTopic,
            Map<String, Boolean> labels) {
        consumerProperties = new Properties();
        consumerProperties.setProperty("bootstrap.servers", bootstrapServers);
        consumerProperties.setProperty("isolation.level", "read_committed");
        consumerProperties.setProperty("enable.auto.commit", "false");
        this.predictionsTopic = predictionsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.labels = labels;
    }

    @Override
    public void run() {
        AvroCodec<Prediction> predictionCodec = AvroCodec.of(Prediction.class);
        AvroCodec<DeadLetter> deadLetterCodec = AvroCodec.of(DeadLetter.class);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        consumerProperties,
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(predictionsTopic, deadLetterTopic)) {
                consumer.partitionsFor(topic)
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopped.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    long now = System.currentTimeMillis();
                    if (record.topic().equals(predictionsTopic)) {
                        onPrediction(predictionCodec.decode(record.value()), now);
                    } else {
                        onDeadLetter(deadLetterCodec.decode(record.value()));
                    }
                }
            }
        } catch (AvroDecodeException | org.apache.kafka.common.KafkaException e) {
            failure = e;
        }
    }

    private synchronized void onPrediction(Prediction prediction, long now) {
        Boolean label = labels.get(prediction.getEventId());
        if (label == null) {
            return; // not this run's event
        }
        if (!scoredIds.add(prediction.getEventId())) {
            duplicates++;
            return;
        }
        scores.add(prediction.getScore());
        scoreLabels.add(label);
        long eventTime = prediction.getEventTime().toEpochMilli();
        if (eventTime >= latencyFromEventTime) {
            long endToEnd = prediction.getLatency().getEndToEndMillis();
            latency.record(endToEnd);
            windowLatency.record(endToEnd);
            visibility.record(now - eventTime);
        }
        batchSizeSum += prediction.getLatency().getBatchSize();
        firstEventTime = Math.min(firstEventTime, eventTime);
        lastScoredTime = Math.max(lastScoredTime, prediction.getScoredTime().toEpochMilli());
    }

    private synchronized void onDeadLetter(DeadLetter letter) {
        if (letter.getEventId() == null || labels.containsKey(letter.getEventId())) {
            deadLetters++;
        }
    }

    /** The figures so far; starts a new latency window for the next progress line. */
    synchronized Snapshot snapshotAndResetWindow() {
        long scored = scoredIds.size();
        Snapshot snapshot =
                new Snapshot(
                        scored,
                        duplicates,
                        deadLetters,
                        latency.percentile(0.50),
                        latency.percentile(0.99),
                        windowLatency.count(),
                        windowLatency.percentile(0.50),
                        windowLatency.percentile(0.99),
                        visibility.percentile(0.50),
                        scored == 0 ? 0 : batchSizeSum / (double) scored,
                        firstEventTime,
                        lastScoredTime);
        windowLatency.clear();
        return snapshot;
    }

    synchronized double auc() {
        float[] s = new float[scores.size()];
        boolean[] l = new boolean[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            l[i] = scoreLabels.get(i);
        }
        return Auc.of(s, l);
    }

    /** Latency figures count only events from {@code eventTime} on (after the warm-up). */
    void measureLatencyFrom(long eventTime) {
        latencyFromEventTime = eventTime;
    }

    Exception failure() {
        return failure;
    }

    void stop() {
        stopped.set(true);
    }
}
