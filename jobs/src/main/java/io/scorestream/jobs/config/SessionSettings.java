package io.scorestream.jobs.config;

import java.time.Duration;

/** Per-session state and event-time settings. */
public record SessionSettings(
        Duration ttl, int historyLength, Duration maxOutOfOrderness, Duration idleTimeout) {}
