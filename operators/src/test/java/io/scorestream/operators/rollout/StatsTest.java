package io.scorestream.operators.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** The fixed bins behind the guard's metrics. */
class StatsTest {

    @Test
    void windowStateIsMadeOfFlinkPojosNotKryo() {
        // The job runs with pipeline.generic-types: false.
        assertThat(TypeInformation.of(GuardWindow.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(VersionStats.class)).isInstanceOf(PojoTypeInfo.class);
        // What crosses the network to the guard, once per prediction.
        assertThat(TypeInformation.of(RoutedCall.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void latencyBinsHoldEachValueInTheFirstBinWhoseBoundCoversIt() {
        for (long micros = 0; micros < 200_000; micros += micros < 100 ? 1 : 37) {
            int bin = LatencyBins.of(micros);
            assertThat(LatencyBins.upperBound(bin))
                    .as("%d µs", micros)
                    .isGreaterThanOrEqualTo(micros);
            if (bin > 0) {
                assertThat(LatencyBins.upperBound(bin - 1)).isLessThan(micros);
            }
        }
        assertThat(LatencyBins.of(Long.MAX_VALUE)).isEqualTo(LatencyBins.COUNT - 1);
        // Four bins per doubling: a bin is at most ~19 % wide (from 100 µs on).
        for (int bin = 30; bin < LatencyBins.COUNT - 1; bin++) {
            assertThat((double) LatencyBins.upperBound(bin) / LatencyBins.upperBound(bin - 1))
                    .isLessThan(1.2);
        }
    }

    @Test
    void p99IsJudgedExactlyAgainstTheLimit() {
        VersionStats stats = new VersionStats();
        stats.latencySamples = 1_000;
        stats.slowerThanLimit = 10; // exactly the top 1 %: the p99 itself is within the limit
        assertThat(stats.p99AboveLimit()).isFalse();
        stats.slowerThanLimit = 11;
        assertThat(stats.p99AboveLimit()).isTrue();

        stats.latencySamples = 150; // ceil(0.99 * 150) = 149 must be within
        stats.slowerThanLimit = 1;
        assertThat(stats.p99AboveLimit()).isFalse();
        stats.slowerThanLimit = 2;
        assertThat(stats.p99AboveLimit()).isTrue();
    }

    @Test
    void theP99BinIsTheNearestRank() {
        long[] bins = new long[LatencyBins.COUNT];
        bins[LatencyBins.of(1_000)] = 98;
        bins[LatencyBins.of(50_000)] = 1;
        bins[LatencyBins.of(900_000)] = 1;
        assertThat(LatencyBins.quantileBin(bins, 0.99)).isEqualTo(LatencyBins.of(50_000));
        assertThat(LatencyBins.describe(LatencyBins.of(50_000))).isEqualTo("46.3-55.1 ms");
        assertThat(LatencyBins.quantileBin(new long[LatencyBins.COUNT], 0.99)).isEqualTo(-1);
    }

    @Test
    void psiIsZeroForTheSameShapeAndLargeForAShift() {
        long[] stable = {10, 20, 30, 40, 50, 50, 40, 30, 20, 10, 0};
        long[] doubled = {20, 40, 60, 80, 100, 100, 80, 60, 40, 20, 0};
        assertThat(ScoreBins.psi(stable, doubled)).isCloseTo(0.0, within(1e-12));

        // Half of the mass moved from bin 4 to bin 5: (a-e)*ln(a/e) summed by hand.
        long[] before = {0, 0, 0, 0, 100, 100, 0, 0, 0, 0, 0};
        long[] after = {0, 0, 0, 0, 50, 150, 0, 0, 0, 0, 0};
        double expected = (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.75 - 0.5) * Math.log(0.75 / 0.5);
        assertThat(ScoreBins.psi(before, after)).isCloseTo(expected, within(1e-12));

        long[] nans = new long[ScoreBins.COUNT];
        nans[ScoreBins.of(Float.NaN)] = 100;
        assertThat(ScoreBins.psi(stable, nans)).as("garbage scores").isGreaterThan(5);
        assertThat(ScoreBins.psi(stable, new long[ScoreBins.COUNT])).isNaN();
    }

    @Test
    void scoresFallIntoTenBinsOverTheUnitRangeAndOneForNonFinite() {
        assertThat(ScoreBins.of(0f)).isZero();
        assertThat(ScoreBins.of(0.05f)).isZero();
        assertThat(ScoreBins.of(0.1f)).isEqualTo(1);
        assertThat(ScoreBins.of(0.999f)).isEqualTo(9);
        assertThat(ScoreBins.of(1f)).isEqualTo(9);
        assertThat(ScoreBins.of(-3f)).isZero();
        assertThat(ScoreBins.of(7f)).isEqualTo(9);
        assertThat(ScoreBins.of(Float.NaN)).isEqualTo(10);
        assertThat(ScoreBins.of(Float.POSITIVE_INFINITY)).isEqualTo(10);
    }
}
