package io.scorestream.jobs.local;

import io.scorestream.jobs.ScoringJob;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * What a local run's job has read and written, from Flink's own metrics: records out of the Kafka
 * source, records into the predictions and dead-letter sinks, and the job's restarts. Flink starts
 * a {@link Reporter} inside the local cluster (named in its configuration by {@link #addTo}); it
 * hands the job's counters to this object, which the run reads for its progress line.
 */
public final class RunMetrics implements AutoCloseable {

    private static final String REPORTER_NAME = "scorestream-run";
    private static final String RUN_KEY = "run";
    private static final String OPERATOR = "<operator_name>";
    private static final Map<String, RunMetrics> RUNS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final Totals eventsIn = new Totals();
    private final Totals predictionsOut = new Totals();
    private final Totals deadLettersOut = new Totals();
    private volatile Gauge<?> restarts;

    private RunMetrics() {}

    /** Metrics for one run; {@link #close} forgets them. */
    public static RunMetrics create() {
        RunMetrics metrics = new RunMetrics();
        RUNS.put(metrics.id, metrics);
        return metrics;
    }

    /** Has the cluster started with {@code conf} report to this object. */
    public void addTo(Configuration conf) {
        String prefix = ConfigConstants.METRICS_REPORTER_PREFIX + REPORTER_NAME + ".";
        conf.setString(
                prefix + MetricOptions.REPORTER_FACTORY_CLASS.key(), Factory.class.getName());
        conf.setString(prefix + RUN_KEY, id);
        // A list of reporters, when configured, enables only those.
        String enabled = conf.get(MetricOptions.REPORTERS_LIST);
        if (enabled != null && !enabled.isBlank()) {
            conf.set(MetricOptions.REPORTERS_LIST, enabled + "," + REPORTER_NAME);
        }
    }

    /** Events the Kafka source has emitted (read again after a restart: counted again). */
    public long eventsIn() {
        return eventsIn.total();
    }

    /** Predictions handed to the predictions sink (committed on the next checkpoint). */
    public long predictionsOut() {
        return predictionsOut.total();
    }

    /** Dead letters handed to the dead-letter sink. */
    public long deadLettersOut() {
        return deadLettersOut.total();
    }

    /** How often the job restarted after a failure. */
    public long restarts() {
        Gauge<?> gauge = restarts;
        return gauge != null && gauge.getValue() instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public void close() {
        RUNS.remove(id);
    }

    void added(Metric metric, String name, MetricGroup group) {
        totalsFor(name, group.getAllVariables().get(OPERATOR))
                .ifPresent(totals -> totals.add((Counter) metric));
        if (name.equals("numRestarts") && metric instanceof Gauge<?> gauge) {
            restarts = gauge;
        }
    }

    void removed(Metric metric, String name, MetricGroup group) {
        totalsFor(name, group.getAllVariables().get(OPERATOR))
                .ifPresent(totals -> totals.remove((Counter) metric));
    }

    private Optional<Totals> totalsFor(String metric, String operator) {
        if (operator == null) {
            return Optional.empty();
        }
        if (metric.equals("numRecordsOut")
                && operator.equals("Source: " + ScoringJob.SOURCE_NAME)) {
            return Optional.of(eventsIn);
        }
        if (metric.equals("numRecordsIn")) {
            if (operator.equals(ScoringJob.PREDICTION_SINK_NAME + ": Writer")) {
                return Optional.of(predictionsOut);
            }
            if (operator.equals(ScoringJob.DEAD_LETTER_SINK_NAME + ": Writer")) {
                return Optional.of(deadLettersOut);
            }
        }
        return Optional.empty();
    }

    /** One count over every subtask, including the counts of subtasks that ended (restarts). */
    private static final class Totals {
        private final Set<Counter> live = ConcurrentHashMap.newKeySet();
        private final AtomicLong ended = new AtomicLong();

        void add(Counter counter) {
            live.add(counter);
        }

        void remove(Counter counter) {
            if (live.remove(counter)) {
                ended.addAndGet(counter.getCount());
            }
        }

        long total() {
            long total = ended.get();
            for (Counter counter : live) {
                total += counter.getCount();
            }
            return total;
        }
    }

    /** The reporter Flink starts inside the local cluster; it reports to its run's object. */
    public static final class Reporter implements MetricReporter {
        private final RunMetrics run;

        Reporter(RunMetrics run) {
            this.run = run;
        }

        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
            if (run != null) {
                run.added(metric, metricName, group);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
            if (run != null) {
                run.removed(metric, metricName, group);
            }
        }
    }

    /** Found by Flink through {@code META-INF/services}, as every metric reporter factory is. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            // Another cluster in this JVM (a test's) configured without a run reports nowhere.
            return new Reporter(RUNS.get(properties.getProperty(RUN_KEY, "")));
        }
    }
}
