package io.scorestream.jobs;

import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.config.Secrets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/** The Flink settings the scoring job runs with, on top of whatever the user configured. */
public final class FlinkSetup {

    /** Share of RocksDB's managed memory for write buffers; the rest is its block cache. */
    public static final double ROCKSDB_WRITE_BUFFER_RATIO = 0.25;

    private FlinkSetup() {}

    /**
     * A copy of {@code conf} with the job's defaults: RocksDB with incremental checkpoints, bloom
     * filters and a block cache for many sessions, exactly-once checkpointing at the configured
     * interval, no Kryo fallback, and the job's settings (secrets masked) as job parameters in the
     * Flink UI.
     */
    public static Configuration forScoring(Configuration conf, ScoringSettings settings) {
        Configuration result = new Configuration(conf);
        setIfAbsent(result, StateBackendOptions.STATE_BACKEND, "rocksdb");
        setIfAbsent(result, CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Every new session's first event reads a key RocksDB does not have: without a bloom filter
        // that read visits every level's files. With a million sessions open, the filter and a
        // larger share of managed memory for the block cache (write buffers get a quarter, not
        // Flink's half) took a 10 M-event drain from 40 000 to 48 700 events/s (BENCHMARKS.md).
        setIfAbsent(result, RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        setIfAbsent(result, RocksDBOptions.WRITE_BUFFER_RATIO, ROCKSDB_WRITE_BUFFER_RATIO);
        result.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpoints().interval());
        result.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        if (settings.checkpoints().directory() != null) {
            result.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpoints().directory());
        }
        // Flush network buffers every few ms instead of Flink's 100 ms: scoring is latency-bound.
        setIfAbsent(result, ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(5));
        // Every operator emits new objects and never changes one after emitting it, so chained
        // operators may hand records over without Flink's defensive deep copy (Avro copies are
        // costly: ~11 % of the pipeline's CPU in a profile). The async operator copies its input
        // itself when reuse is on.
        setIfAbsent(result, PipelineOptions.OBJECT_REUSE, true);
        // Every type on the wire is a POJO or an Avro record: fail fast if one would fall back to
        // Kryo.
        result.set(PipelineOptions.GENERIC_TYPES, false);
        setIfAbsent(result, PipelineOptions.NAME, "ScoreStream " + settings.modelName());
        result.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, jobParameters(conf));
        return result;
    }

    /** The ScoreStream settings as shown in the Flink UI: secret values never leave the job. */
    static Map<String, String> jobParameters(Configuration conf) {
        Map<String, String> shown = new TreeMap<>();
        for (ConfigOption<?> option : ScoringOptions.all()) {
            conf.getOptional(option)
                    .ifPresent(value -> shown.put(option.key(), masked(option, value)));
        }
        return shown;
    }

    private static String masked(ConfigOption<?> option, Object value) {
        if (value instanceof Map<?, ?> properties) {
            return Secrets.masked(properties).toString();
        }
        return String.valueOf(value);
    }

    private static <T> void setIfAbsent(Configuration conf, ConfigOption<T> option, T value) {
        if (!conf.contains(option)) {
            conf.set(option, value);
        }
    }
}
