package io.scorestream.operators.rollout;

/**
 * Fixed log-scale bins of inference latency in microseconds, four per doubling (each bin about 19 %
 * wide), up to 2^28 µs (about 4.5 minutes); the last bin also takes everything slower. Fixed bins
 * add and subtract exactly, which is what lets a sliding window keep its totals without keeping
 * every sample.
 */
final class LatencyBins {

    /** Number of bins. */
    static final int COUNT = 113;

    private static final double PER_DOUBLING = 4.0;

    private LatencyBins() {}

    /** The bin of {@code micros}: bin 0 holds up to 1 µs, bin i up to {@link #upperBound}(i). */
    static int of(long micros) {
        if (micros <= 1) {
            return 0;
        }
        int bin = (int) Math.ceil(PER_DOUBLING * Math.log(micros) / Math.log(2));
        // Guard against rounding at exact bounds: a value belongs to the first bin that holds it.
        while (bin > 1 && upperBound(bin - 1) >= micros) {
            bin--;
        }
        while (bin < COUNT - 1 && upperBound(bin) < micros) {
            bin++;
        }
        return Math.min(bin, COUNT - 1);
    }

    /** The largest latency, in µs, that bin {@code bin} holds (the last bin has no bound). */
    static long upperBound(int bin) {
        return (long) Math.floor(Math.pow(2, bin / PER_DOUBLING));
    }

    /**
     * The bin holding the {@code quantile} (nearest rank) of the samples in {@code bins}; -1 if
     * none.
     */
    static int quantileBin(long[] bins, double quantile) {
        long total = 0;
        for (long count : bins) {
            total += count;
        }
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int bin = 0; bin < bins.length; bin++) {
            seen += bins[bin];
            if (seen >= rank) {
                return bin;
            }
        }
        return bins.length - 1;
    }

    /** The range of latencies bin {@code bin} holds, in ms, for people to read. */
    static String describe(int bin) {
        if (bin <= 0) {
            return "<= 0.001 ms";
        }
        double lower = upperBound(bin - 1) / 1000.0;
        if (bin == COUNT - 1) {
            return String.format(java.util.Locale.ROOT, "over %.1f ms", lower);
        }
        return String.format(
                java.util.Locale.ROOT, "%.1f-%.1f ms", lower, upperBound(bin) / 1000.0);
    }
}
