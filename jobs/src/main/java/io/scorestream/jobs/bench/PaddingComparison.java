package io.scorestream.jobs.bench;

import java.util.Locale;

/**
 * Whether padding a batch to a size the model might prefer (the next power of two) would score it
 * sooner: the bare model's mean call time at {@code rows} against its call time at {@code
 * paddedTo}. Padding helps only if the larger call is the faster one.
 */
record PaddingComparison(
        String model, int rows, double callMillis, int paddedTo, double paddedCallMillis) {

    /** The power of two at or above {@code rows}. */
    static int paddedSize(int rows) {
        return rows <= 1 ? 1 : Integer.highestOneBit(rows - 1) << 1;
    }

    /** From bare results at both sizes: a call's mean time is its rows over rows per second. */
    static PaddingComparison of(BenchResult unpadded, int rows, BenchResult padded, int paddedTo) {
        return new PaddingComparison(
                unpadded.model(),
                rows,
                rows * 1000.0 / unpadded.rowsPerSecond(),
                paddedTo,
                paddedTo * 1000.0 / padded.rowsPerSecond());
    }

    /** Run-to-run noise of the bare loop's call times on the development machine. */
    private static final double NOISE = 0.05;

    boolean helps() {
        return paddedCallMillis < callMillis * (1 - NOISE);
    }

    String line() {
        return String.format(
                Locale.ROOT,
                "PADDING model=%s rows=%d call_ms=%.3f padded_to=%d padded_call_ms=%.3f helps=%s",
                model,
                rows,
                callMillis,
                paddedTo,
                paddedCallMillis,
                helps());
    }
}
