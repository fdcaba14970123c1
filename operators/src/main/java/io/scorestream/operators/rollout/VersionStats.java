package io.scorestream.operators.rollout;

import io.scorestream.schemas.Prediction;

/**
 * What the {@link RolloutGuard} knows of one model version over a stretch of time: counts and fixed
 * bins only, so stretches add and subtract exactly. A Flink POJO, kept in keyed state.
 */
public class VersionStats {

    /** Predictions counted (those over budget never reached the model and are not). */
    public long predictions;

    /** Of those, fallbacks for a model problem (timeout, model error). */
    public long errors;

    /** Predictions the model answered, not from a cache: the latency samples. */
    public long latencySamples;

    /** Latency samples slower than the policy's p99 limit: decides the p99 exactly. */
    public long slowerThanLimit;

    /** Latency samples per {@link LatencyBins} bin: the p99's value for the log. */
    public long[] latencyBins;

    /** Predictions with a model score (not fallbacks): the score samples. */
    public long scored;

    /** Score samples per {@link ScoreBins} bin. */
    public long[] scoreBins;

    public VersionStats() {
        latencyBins = new long[LatencyBins.COUNT];
        scoreBins = new long[ScoreBins.COUNT];
    }

    /** Counts one prediction that reached the model (or should have: a fallback). */
    void add(Prediction prediction, long latencyLimitMicros) {
        predictions++;
        if (prediction.getFallback()) {
            errors++;
            return;
        }
        scored++;
        scoreBins[ScoreBins.of(prediction.getScore())]++;
        if (!prediction.getCached()) {
            long micros = prediction.getLatency().getInferenceMicros();
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
