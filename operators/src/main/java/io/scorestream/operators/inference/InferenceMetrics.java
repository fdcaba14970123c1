package io.scorestream.operators.inference;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The inference stage's metrics, under {@code model.<name>.version.<version>} of the operator's
 * group: batch size, queue wait and compute time (histograms, one sample per scored row), rows/s,
 * in-flight requests, queue depth, timeouts, failures and fallbacks.
 */
final class InferenceMetrics {
    private static final int HISTOGRAM_WINDOW = 4096;

    private final Histogram batchSize;
    private final Histogram queueWaitMicros;
    private final Histogram computeMicros;
    private final Counter rowsScored;
    private final Counter timeouts;
    private final Counter failures;
    private final Counter fallbacks;
    private final AtomicInteger inFlight = new AtomicInteger();

    InferenceMetrics(MetricGroup operator, String model, String version, IntSupplier queueDepth) {
        MetricGroup group = operator.addGroup("model", model).addGroup("version", version);
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
        fallbacks = group.counter("fallbacks");
        group.gauge("inFlight", inFlight::get);
        group.gauge("queueDepth", queueDepth::getAsInt);
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

    /** A timeout ends the request for Flink; a late model answer is ignored by Flink. */
    void timedOut(TimeoutPolicy policy) {
        inFlight.decrementAndGet();
        timeouts.inc();
        if (policy == TimeoutPolicy.FALLBACK) {
            fallbacks.inc();
        }
    }
}
