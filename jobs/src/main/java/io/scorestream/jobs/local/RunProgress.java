package io.scorestream.jobs.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.flink.api.common.JobID;

/** The progress line of a local run: what the job read and wrote, and its checkpoints. */
final class RunProgress {
    private final LocalFlinkCluster flink;
    private final JobID id;
    private final RunMetrics metrics;
    private final long started = System.nanoTime();
    private long lastEvents;
    private long lastNanos = started;

    RunProgress(LocalFlinkCluster flink, JobID id, RunMetrics metrics) {
        this.flink = flink;
        this.id = id;
        this.metrics = metrics;
    }

    String prefix() {
        return String.format(
                Locale.ROOT, "[%4ds] ", (System.nanoTime() - started) / 1_000_000_000L);
    }

    String line() throws Exception {
        long now = System.nanoTime();
        long events = metrics.eventsIn();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        long rate = Math.round((events - lastEvents) / seconds);
        lastEvents = events;
        lastNanos = now;
        String last =
                flink.lastCompletedCheckpoint(id)
                        .map(
                                at ->
                                        ", last "
                                                + Math.max(
                                                        0,
                                                        Duration.between(at, Instant.now())
                                                                .toSeconds())
                                                + " s ago")
                        .orElse("");
        long restarts = metrics.restarts();
        return prefix()
                + String.format(
                        Locale.ROOT,
                        "events in %8d (%5d/s) | predictions out %8d | dlq %d | checkpoints %d%s%s",
                        events,
                        rate,
                        metrics.predictionsOut(),
                        metrics.deadLettersOut(),
                        flink.completedCheckpoints(id),
                        last,
                        restarts > 0 ? " | restarts " + restarts : "");
    }
}
