package io.scorestream.jobs.config;

import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * The longest a failed job waits before it restarts, by Flink's restart strategy settings ({@code
 * restart-strategy.*}), and the keys that set it.
 *
 * @param key the setting(s) the delay comes from, for messages
 * @param longest the longest single wait; zero when the job never restarts
 */
record RestartDelay(String key, Duration longest) {

    static RestartDelay of(Configuration conf) {
        // With checkpointing on (always, for this job) Flink's default is exponential-delay.
        String type =
                conf.getOptional(RestartStrategyOptions.RESTART_STRATEGY)
                        .orElse("exponential-delay")
                        .toLowerCase(Locale.ROOT)
                        .replace("-", "");
        return switch (type) {
            case "fixeddelay" ->
                    new RestartDelay(
                            RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY.key(),
                            conf.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY));
            case "failurerate" ->
                    new RestartDelay(
                            RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY.key(),
                            conf.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY));
            case "exponentialdelay" -> exponential(conf);
            // none, off, disable: a failed job stays failed. Unknown types: Flink refuses them.
            default ->
                    new RestartDelay(RestartStrategyOptions.RESTART_STRATEGY.key(), Duration.ZERO);
        };
    }

    private static RestartDelay exponential(Configuration conf) {
        Duration maxBackoff =
                conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF);
        double jitter =
                conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR);
        // The jitter may lengthen any backoff by up to this factor.
        long longest = Math.round(maxBackoff.toMillis() * (1 + Math.max(0, jitter)));
        return new RestartDelay(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF.key()
                        + " with "
                        + RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR
                                .key(),
                Duration.ofMillis(longest));
    }
}
