package io.scorestream.jobs.config;

import java.time.Duration;

/**
 * Checkpointing, read from Flink's own {@code execution.checkpointing.interval} and {@code
 * execution.checkpointing.dir} so cluster configuration applies unchanged.
 *
 * @param directory checkpoint storage URI, or null to keep the cluster's (or Flink's) default
 */
public record CheckpointSettings(Duration interval, String directory) {

    /** Used when the configuration sets no interval: exactly-once needs checkpoints. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
}
