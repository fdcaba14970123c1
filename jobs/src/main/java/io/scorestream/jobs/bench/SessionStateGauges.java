package io.scorestream.jobs.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * RocksDB's own estimates of the session state, read from Flink's native RocksDB metrics of the
 * featurizer's {@code session} column family, summed over its subtasks: how many keys it holds and
 * how much live data. The bench runs Flink in its own JVM, so a metric reporter registered in the
 * bench's configuration ({@link #enable}) hands the gauges over. Flink refreshes these figures
 * every 5 seconds.
 */
public final class SessionStateGauges implements MetricReporter {

    /** The featurizer's state name: the column family its sessions live in. */
    private static final String COLUMN_FAMILY = "session";

    static final String KEYS = "estimate-num-keys";
    static final String LIVE_BYTES = "estimate-live-data-size";
    static final String SST_BYTES = "total-sst-files-size";
    static final String BLOCK_CACHE_BYTES = "block-cache-usage";

    private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    /** Turns the RocksDB metrics on and registers this reporter in {@code flinkConf}. */
    static void enable(Configuration flinkConf) {
        for (String property : new String[] {KEYS, LIVE_BYTES, SST_BYTES, BLOCK_CACHE_BYTES}) {
            flinkConf.setString("state.backend.rocksdb.metrics." + property, "true");
        }
        flinkConf.setString("metrics.reporter.bench-state.factory.class", Factory.class.getName());
    }

    /** The sum of {@code property} over the session column families now registered; -1: none. */
    static long sum(String property) {
        long total = -1;
        for (Map.Entry<String, Gauge<?>> gauge : GAUGES.entrySet()) {
            // Flink names them rocksdb.<property> or, filtered, rocksdb_<property>.
            if (gauge.getKey().endsWith(property)
                    && gauge.getValue().getValue() instanceof Number value) {
                total = Math.max(total, 0) + value.longValue();
            }
        }
        return total;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge<?> gauge
                && name.startsWith("rocksdb")
                && Arrays.asList(group.getScopeComponents()).contains(COLUMN_FAMILY)) {
            GAUGES.put(group.getMetricIdentifier(name), gauge);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        GAUGES.remove(group.getMetricIdentifier(name));
    }

    /** Made by Flink from {@code metrics.reporter.bench-state.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new SessionStateGauges();
        }
    }
}
