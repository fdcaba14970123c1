package io.scorestream.operators.rollout;

/**
 * Fixed bins of model scores for the population stability index: ten equal bins over the score
 * range [0, 1] (the reference models' outputs are probabilities; scores outside it fall into the
 * edge bins), and an eleventh for NaN and infinite scores, so garbage output shows up as a shift.
 */
final class ScoreBins {

    /** Number of bins: ten over [0, 1] and one for non-finite scores. */
    static final int COUNT = 11;

    /** Share given to an empty bin, so the index stays finite. */
    static final double EPSILON = 1e-4;

    private static final int RANGE_BINS = 10;

    private ScoreBins() {}

    static int of(float score) {
        if (!Float.isFinite(score)) {
            return COUNT - 1;
        }
        int bin = (int) Math.floor(score * RANGE_BINS);
        return Math.max(0, Math.min(RANGE_BINS - 1, bin));
    }

    /**
     * The population stability index of {@code actual} against {@code expected}: the sum over bins
     * of {@code (a - e) * ln(a / e)}, with shares {@code a} and {@code e} of each side's total and
     * {@link #EPSILON} for empty bins. 0 for identical distributions; NaN when a side is empty.
     */
    static double psi(long[] expected, long[] actual) {
        double expectedTotal = total(expected);
        double actualTotal = total(actual);
        if (expectedTotal == 0 || actualTotal == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int bin = 0; bin < expected.length; bin++) {
            double e = Math.max(expected[bin] / expectedTotal, EPSILON);
            double a = Math.max(actual[bin] / actualTotal, EPSILON);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }

    private static long total(long[] bins) {
        long total = 0;
        for (long count : bins) {
            total += count;
        }
        return total;
    }
}
