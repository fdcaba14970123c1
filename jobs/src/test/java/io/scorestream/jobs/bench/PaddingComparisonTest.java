package io.scorestream.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PaddingComparisonTest {

    @Test
    void aBatchIsPaddedToThePowerOfTwoAtOrAboveIt() {
        assertThat(PaddingComparison.paddedSize(1)).isEqualTo(1);
        assertThat(PaddingComparison.paddedSize(5)).isEqualTo(8);
        assertThat(PaddingComparison.paddedSize(48)).isEqualTo(64);
        assertThat(PaddingComparison.paddedSize(64)).isEqualTo(64);
        assertThat(PaddingComparison.paddedSize(192)).isEqualTo(256);
    }

    @Test
    void paddingHelpsOnlyWhenTheLargerCallIsFasterByMoreThanTheNoise() {
        // 48 rows at 96 000 rows/s: 0.5 ms a call; 64 rows at 160 000 rows/s: 0.4 ms a call.
        PaddingComparison faster = comparison(48, 96_000, 64, 160_000);
        assertThat(faster.callMillis()).isEqualTo(0.5);
        assertThat(faster.paddedCallMillis()).isEqualTo(0.4);
        assertThat(faster.helps()).isTrue();
        assertThat(faster.line())
                .isEqualTo(
                        "PADDING model=m rows=48 call_ms=0.500 padded_to=64 padded_call_ms=0.400"
                                + " helps=true");

        PaddingComparison slower = comparison(48, 96_000, 64, 120_000);
        assertThat(slower.helps()).isFalse();

        PaddingComparison asFast = comparison(5, 200_000, 8, 330_000);
        assertThat(asFast.paddedCallMillis()).isLessThan(asFast.callMillis());
        assertThat(asFast.helps()).as("2 %% faster is noise").isFalse();
    }

    /** Bare results of model "m" at {@code rows} and {@code paddedTo} rows, compared. */
    private static PaddingComparison comparison(
            int rows, double rowsPerSecond, int paddedTo, double paddedRowsPerSecond) {
        return PaddingComparison.of(
                new BenchResult("bare-b" + rows, "m", rowsPerSecond, 0, 0, ""),
                rows,
                new BenchResult("bare-b" + paddedTo, "m", paddedRowsPerSecond, 0, 0, ""),
                paddedTo);
    }
}
