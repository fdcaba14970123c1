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
        PaddingComparison faster =
                PaddingComparison.of(
                        new BenchResult("bare-b48", "m", 96_000, 0, 0, ""),
                        48,
                        new BenchResult("bare-b64", "m", 160_000, 0, 0, ""),
                        64);
        assertThat(faster.callMillis()).isEqualTo(0.5);
        assertThat(faster.paddedCallMillis()).isEqualTo(0.4);
        assertThat(faster.helps()).isTrue();
        assertThat(faster.line())
                .isEqualTo(
                        "PADDING model=m rows=48 call_ms=0.500 padded_to=64 padded_call_ms=0.400"
                                + " helps=true");

        PaddingComparison slower =
                PaddingComparison.of(
                        new BenchResult("bare-b48", "m", 96_000, 0, 0, ""),
                        48,
                        new BenchResult("bare-b64", "m", 120_000, 0, 0, ""),
                        64);
        assertThat(slower.helps()).isFalse();

        PaddingComparison asFast =
                PaddingComparison.of(
                        new BenchResult("bare-b5", "m", 200_000, 0, 0, ""),
                        5,
                        new BenchResult("bare-b8", "m", 330_000, 0, 0, ""),
                        8);
        assertThat(asFast.paddedCallMillis()).isLessThan(asFast.callMillis());
        assertThat(asFast.helps()).as("2 %% faster is noise").isFalse();
    }
}
