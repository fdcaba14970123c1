package io.scorestream.jobs.bench;

import io.scorestream.jobs.stats.LatencyHistogram;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a benchmark's sink saw during the measurement window: records and their end-to-end latency.
 * Sinks and the benchmark share a JVM (a local Flink cluster), so recorders are found by name.
 */
public final class Recorder {
    private static final Map<String, Recorder> BY_NAME = new ConcurrentHashMap<>();

    private final LatencyHistogram latency = new LatencyHistogram();
    private long count;
    private long total;
    private boolean measuring;
    private long windowStartNanos;
    private long windowEndNanos;

    public static Recorder named(String name) {
        return BY_NAME.computeIfAbsent(name, ignored -> new Recorder());
    }

    public static void forget(String name) {
        BY_NAME.remove(name);
    }

    synchronized void record(long latencyMillis) {
        total++;
        if (measuring) {
            count++;
            latency.record(latencyMillis);
        }
    }

    /** Starts the measurement window: what came before (the warm-up) is not counted. */
    public synchronized void startWindow() {
        measuring = true;
        count = 0;
        latency.clear();
        windowStartNanos = System.nanoTime();
    }

    public synchronized void endWindow() {
        measuring = false;
        windowEndNanos = System.nanoTime();
    }

    /** Records seen since the job started, warm-up included. */
    public synchronized long total() {
        return total;
    }

    public synchronized double rowsPerSecond() {
        return count / ((windowEndNanos - windowStartNanos) / 1e9);
    }

    public synchronized long percentileMillis(double quantile) {
        return latency.percentile(quantile);
    }
}
