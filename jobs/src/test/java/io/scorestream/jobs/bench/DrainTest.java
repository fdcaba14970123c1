package io.scorestream.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainTest {

    @Test
    void timesEachTenthFromItsMarksAndTheFirstFromOnePercent() {
        // 1 000 000 events: 1 % after 1 s, then 100 000 events per second for five tenths and
        // 50 000 per second for the last five.
        long[] marks = new long[11];
        marks[0] = seconds(1);
        marks[1] = seconds(1.9);
        for (int k = 2; k <= 5; k++) {
            marks[k] = marks[k - 1] + seconds(1);
        }
        for (int k = 6; k <= 10; k++) {
            marks[k] = marks[k - 1] + seconds(2);
        }
        Drain drain =
                Drain.of(
                        "scorestream-kafka",
                        "fraud-mlp",
                        1_000_000,
                        1_050_000,
                        1_000_000,
                        marks,
                        StateSize.ofFlink(1_000_000, 800L << 20, 900L << 20));

        assertThat(drain.firstTenth()).isCloseTo(100_000, within(1.0));
        assertThat(drain.lastTenth()).isCloseTo(50_000, within(1.0));
        assertThat(drain.decayPercent()).isCloseTo(50.0, within(0.01));
        // 20 % → 80 %: three tenths at 100 000/s and three at 50 000/s.
        assertThat(drain.steady()).isCloseTo(600_000 / 9.0, within(1.0));
        assertThat(drain.line())
                .startsWith(
                        "DRAIN case=scorestream-kafka model=fraud-mlp events=1000000"
                                + " sessions=1050000 open_sessions=1000000 steady_eps=66667"
                                + " first_tenth_eps=100000 last_tenth_eps=50000 decay_pct=50.0"
                                + " state_keys=1000000 state_live_mb=800 checkpoint_mb=900"
                                + " peak_rss_mb=-1 tenths_eps=100000,");
    }

    private static long seconds(double seconds) {
        return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }
}
