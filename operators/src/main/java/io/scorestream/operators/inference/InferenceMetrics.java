package io.scorestream.operators.inference;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * One model version's metrics in the inference operator, under {@code
 * model.<name>.version.<version>} of the operator's group: batch size, queue wait and compute time
 * (histograms, one sample per scored row), rows/s, in-flight calls, queue depth, timeouts, model
 * failures, input failures (a row the model failed on alone, or whose input did not fit: not
 * counted by the breaker), rows shed (dropped before the model call because their caller had timed
 * out), calls skipped by the open circuit breaker or because the version is unavailable, cache hits
 * and misses with the hit ratio, and the breaker's state (0 closed, 1 open, 2 half-open).
 */
final class InferenceMetrics {
    private static final int HISTOGRAM_WINDOW = 4096;

    private final Histogram batchSize;
    private final Histogram queueWaitMicros;
    private final Histogram computeMicros;
    private final Counter rowsScored;
    private final Counter timeouts;
    private final Counter failures;
    private final Counter inputFailures;
    private final Counter shedRows;
    private final Counter loadWaits;
    private final Counter circuitOpen;
    private final Counter unavailable;
    private final Counter cacheHits;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Counts a row the service dropped; one instance, handed with every call. */
    private final Runnable shedCounter;

    /** The version's running service, once there is one; gauges read 0 until then. */
    private volatile InferenceService service;

    InferenceMetrics(MetricGroup operator, ModelInput version) {
        MetricGroup group =
                operator.addGroup("model", version.model).addGroup("version", version.version);
        batchSize =
                group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        queueWaitMicros =
                group.histogram(
                        "queueWaitMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        computeMicros =
                group.histogram(
                        "computeMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        rowsScored = group.counter("rowsScored");
        group.meter("rowsPerSecond", new MeterView(rowsScored));
        timeouts = group.counter("timeouts");
        failures = group.counter("failures");
        inputFailures = group.counter("inputFailures");
        shedRows = group.counter("shedRows");
        shedCounter = shedRows::inc;
        loadWaits = group.counter("loadWaits");
        circuitOpen = group.counter("circuitOpenSkips");
        unavailable = group.counter("unavailable");
        cacheHits = group.counter("cacheHits");
        group.gauge("inFlight", inFlight::get);
        group.gauge("queueDepth", () -> service == null ? 0 : service.queueDepth());
        group.gauge(
                "circuitState", () -> service == null ? 0 : service.breaker().state().ordinal());
        group.gauge(
                "cacheHitRatio",
                () -> service == null || service.cache() == null ? 0 : service.cache().hitRatio());
        group.gauge(
                "cacheEntries",
                () -> service == null || service.cache() == null ? 0 : service.cache().size());
    }

    /** The service the gauges read from now on. */
    void attach(InferenceService running) {
        this.service = running;
    }

    void requested() {
        inFlight.incrementAndGet();
    }

    void scored(ScoredRow row) {
        inFlight.decrementAndGet();
        rowsScored.inc();
        batchSize.update(row.batchSize());
        queueWaitMicros.update(row.queueWaitNanos() / 1_000);
        computeMicros.update(row.computeNanos() / 1_000);
    }

    void failed() {
        inFlight.decrementAndGet();
        failures.inc();
    }

    void inputFailed() {
        inFlight.decrementAndGet();
        inputFailures.inc();
    }

    void timedOut() {
        inFlight.decrementAndGet();
        timeouts.inc();
    }

    /** What the service runs, on the caller's executor, for each row of this caller it drops. */
    Runnable shedCounter() {
        return shedCounter;
    }

    /** A call not made: its caller had timed out before it could be queued. */
    void shedBeforeCall() {
        shedRows.inc();
        timeouts.inc();
    }

    void cacheHit() {
        cacheHits.inc();
    }

    /** A call that waits for its version to finish loading. */
    void waitsForLoad() {
        loadWaits.inc();
    }

    long loadWaits() {
        return loadWaits.getCount();
    }

    long failures() {
        return failures.getCount();
    }

    long inputFailures() {
        return inputFailures.getCount();
    }

    long shedRows() {
        return shedRows.getCount();
    }

    long timeouts() {
        return timeouts.getCount();
    }

    /** A call not made, for {@code why}: its breaker was open, or the version unavailable. */
    void skipped(StepOutcome why) {
        switch (why) {
            case CIRCUIT_OPEN -> circuitOpen.inc();
            case TIMEOUT -> timeouts.inc();
            default -> unavailable.inc();
        }
    }
}
