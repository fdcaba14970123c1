package io.scorestream.jobs.stats;

/**
 * Millisecond latencies in 1 ms buckets up to a minute (longer ones share the last bucket). Exact
 * percentiles at millisecond resolution in constant memory; not thread-safe.
 */
public final class LatencyHistogram {
    private static final int BUCKETS = 60_001;

    private final long[] counts = new long[BUCKETS];
    private long total;

    public void record(long millis) {
        counts[(int) Math.max(0, Math.min(BUCKETS - 1, millis))]++;
        total++;
    }

    public long count() {
        return total;
    }

    /** The smallest latency at or below which {@code quantile} of the records fall; 0 if empty. */
    public long percentile(double quantile) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i;
            }
        }
        return BUCKETS - 1;
    }

    public void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
    }
}
