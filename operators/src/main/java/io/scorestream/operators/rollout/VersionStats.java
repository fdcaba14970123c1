package io.scorestream.operators.rollout;

/**
 * What the {@link RolloutGuard} knows of one model version over a stretch of time: counts and fixed
 * bins only, so stretches add and subtract exactly. A Flink POJO, kept in keyed state.
 */
public class VersionStats {

    /**
     * Predictions routed to this version (those over budget never reached a model: not counted).
     */
    public long predictions;

    /** Of those, the ones it gave no answer for (timeout, error, open circuit, unavailable). */
    public long errors;

    /** Its own answers timed alone (not cached, no cascade step after): the latency samples. */
    public long latencySamples;

    /** Latency samples slower than the policy's p99 limit: decides the p99 exactly. */
    public long slowerThanLimit;

    /** Latency samples per {@link LatencyBins} bin: the p99's value for the log. */
    public long[] latencyBins;

    /** Predictions whose score is its answer: the score samples. */
    public long scored;

    /** Score samples per {@link ScoreBins} bin. */
    public long[] scoreBins;

    public VersionStats() {
        latencyBins = new long[LatencyBins.COUNT];
        scoreBins = new long[ScoreBins.COUNT];
    }

    /** Counts what one prediction says about this version. */
    void add(RoutedCall call, long latencyLimitMicros) {
        predictions++;
        if (call.error()) {
            errors++;
        }
        if (call.score() != null) {
            scored++;
            scoreBins[ScoreBins.of(call.score())]++;
        }
        if (call.latencyMicros() != null) {
            long micros = call.latencyMicros();
            latencySamples++;
            latencyBins[LatencyBins.of(micros)]++;
            if (micros > latencyLimitMicros) {
                slowerThanLimit++;
            }
        }
    }

    void add(VersionStats other) {
        combine(other, 1);
    }

    void subtract(VersionStats other) {
        combine(other, -1);
    }

    double errorRate() {
        return predictions == 0 ? 0 : (double) errors / predictions;
    }

    /**
     * True when the 99th percentile (nearest rank) of the latency samples is above the limit they
     * were counted against: more samples are slower than it than the top 1 % may hold.
     */
    boolean p99AboveLimit() {
        long withinP99 = (99 * latencySamples + 99) / 100; // ceil(0.99 n)
        return slowerThanLimit > latencySamples - withinP99;
    }

    /** The {@link LatencyBins} bin that holds the p99; -1 without latency samples. */
    int p99Bin() {
        return LatencyBins.quantileBin(latencyBins, 0.99);
    }

    private void combine(VersionStats other, int sign) {
        predictions += sign * other.predictions;
        errors += sign * other.errors;
        latencySamples += sign * other.latencySamples;
        slowerThanLimit += sign * other.slowerThanLimit;
        scored += sign * other.scored;
        for (int bin = 0; bin < latencyBins.length; bin++) {
            latencyBins[bin] += sign * other.latencyBins[bin];
        }
        for (int bin = 0; bin < scoreBins.length; bin++) {
            scoreBins[bin] += sign * other.scoreBins[bin];
        }
    }
}
