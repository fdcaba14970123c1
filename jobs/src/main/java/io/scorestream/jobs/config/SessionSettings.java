package io.scorestream.jobs.config;

import io.scorestream.operators.routing.ServingPlan;
import java.time.Duration;

/**
 * Per-session state and event-time settings.
 *
 * @param historyLength events of history kept per session ({@code
 *     scorestream.session.history-length}), or null to keep what the served models read
 */
public record SessionSettings(
        Duration ttl, Integer historyLength, Duration maxOutOfOrderness, Duration idleTimeout) {

    /**
     * The events of history each session keeps for {@code plan}: the configured length, or else the
     * longest sequence its models read. A model that reads no sequence needs none, and a session
     * without it is several times smaller in RocksDB.
     */
    public int historyLengthFor(ServingPlan plan) {
        return historyLength != null ? historyLength : plan.historyNeeded();
    }
}
