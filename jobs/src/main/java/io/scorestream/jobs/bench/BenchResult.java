package io.scorestream.jobs.bench;

import java.util.Locale;

/**
 * One measured case: throughput at the highest rate it sustains, and latency at half that rate.
 *
 * @param rowsPerSecond events (or rows) per second at full load
 * @param p50Millis median latency at 50 % of full load (per call for bare cases)
 * @param p99Millis 99th percentile latency at 50 % of full load
 * @param note how the latency was taken, for the table
 */
public record BenchResult(
        String caseName,
        String model,
        double rowsPerSecond,
        double p50Millis,
        double p99Millis,
        String note) {

    /**
     * The machine-readable line: {@code BENCH case=.. model=.. rows_per_s=.. p50_ms=.. p99_ms=..}.
     */
    public String benchLine() {
        return String.format(
                Locale.ROOT,
                "BENCH case=%s model=%s rows_per_s=%.1f p50_ms=%s p99_ms=%s",
                caseName,
                model,
                rowsPerSecond,
                millis(p50Millis),
                millis(p99Millis));
    }

    static String millis(double value) {
        return value >= 10
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }
}
