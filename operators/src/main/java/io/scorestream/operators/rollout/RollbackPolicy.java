package io.scorestream.operators.rollout;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the {@link RolloutGuard} sends a candidate's traffic back to the stable version.
 *
 * @param enabled false: the guard only follows the rollout and never rolls back
 * @param window the sliding window of predictions (by their scored time) the metrics cover
 * @param minSamples the guard judges only once both versions have this many predictions in the
 *     window (and, for each metric, this many samples of it)
 * @param maxErrorRate the largest share, 0..1, of the candidate's predictions that may be fallbacks
 *     for a model problem (timeouts, model errors; over-budget fallbacks do not count)
 * @param maxP99Latency the largest 99th percentile of the candidate's inference latency
 * @param maxPsi the largest population stability index of the candidate's scores against the stable
 *     version's (0.1: a small shift, 0.25: a large one, by the usual reading)
 */
public record RollbackPolicy(
        boolean enabled,
        Duration window,
        int minSamples,
        double maxErrorRate,
        Duration maxP99Latency,
        double maxPsi)
        implements Serializable {

    public RollbackPolicy {
        if (window == null || window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be at least 1, got " + minSamples);
        }
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            throw new IllegalArgumentException(
                    "maxErrorRate must be between 0 and 1, got " + maxErrorRate);
        }
        if (maxP99Latency == null || maxP99Latency.isZero() || maxP99Latency.isNegative()) {
            throw new IllegalArgumentException(
                    "maxP99Latency must be positive, got " + maxP99Latency);
        }
        if (!(maxPsi > 0) || Double.isInfinite(maxPsi)) {
            throw new IllegalArgumentException("maxPsi must be a positive number, got " + maxPsi);
        }
    }

    /** The job's defaults: on, 1 min window, 200 samples, 5 % errors, 500 ms p99, PSI 0.25. */
    public static RollbackPolicy defaults() {
        return new RollbackPolicy(
                true, Duration.ofMinutes(1), 200, 0.05, Duration.ofMillis(500), 0.25);
    }
}
