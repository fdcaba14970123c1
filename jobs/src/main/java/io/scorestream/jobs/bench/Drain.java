package io.scorestream.jobs.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A prefilled topic worked through at full speed, timed by tenths of its events: how fast a
 * contender goes at the start and at the end, and what it holds by then.
 *
 * @param events events in the topic
 * @param sessions distinct sessions among them
 * @param liveSessions sessions open at once in the traffic
 * @param tenths events/s in each tenth of the output; the first tenth is timed from 1 % of it, so
 *     start-up (job submission, model load) is not in it
 * @param steady events/s between 20 % and 80 % of the output
 */
record Drain(
        String caseName,
        String model,
        long events,
        long sessions,
        int liveSessions,
        double[] tenths,
        double steady,
        StateSize state) {

    double firstTenth() {
        return tenths[0];
    }

    double lastTenth() {
        return tenths[tenths.length - 1];
    }

    /** How much slower the last tenth went than the first, in percent (negative: faster). */
    double decayPercent() {
        return 100 * (1 - lastTenth() / firstTenth());
    }

    /**
     * The times ({@code System.nanoTime}) at which the output reached 1 %, 10 %, 20 %, ... 100 % of
     * {@code events}, as a drain.
     */
    static Drain of(
            String caseName,
            String model,
            long events,
            long sessions,
            int liveSessions,
            long[] marks,
            StateSize state) {
        double[] tenths = new double[10];
        tenths[0] = (events / 10 - events / 100) / seconds(marks[0], marks[1]);
        for (int k = 2; k <= 10; k++) {
            tenths[k - 1] =
                    (k * events / 10 - (k - 1) * events / 10) / seconds(marks[k - 1], marks[k]);
        }
        double steady = (events * 4 / 5 - events / 5) / seconds(marks[2], marks[8]);
        return new Drain(caseName, model, events, sessions, liveSessions, tenths, steady, state);
    }

    String line() {
        return String.format(
                Locale.ROOT,
                "DRAIN case=%s model=%s events=%d sessions=%d open_sessions=%d steady_eps=%.0f"
                        + " first_tenth_eps=%.0f last_tenth_eps=%.0f decay_pct=%.1f"
                        + " state_keys=%d state_live_mb=%d checkpoint_mb=%d peak_rss_mb=%d"
                        + " tenths_eps=%s",
                caseName,
                model,
                events,
                sessions,
                liveSessions,
                steady,
                firstTenth(),
                lastTenth(),
                decayPercent(),
                state.keys(),
                megabytes(state.liveBytes()),
                megabytes(state.checkpointBytes()),
                megabytes(state.peakRssBytes()),
                Arrays.stream(tenths)
                        .mapToObj(rate -> String.format(Locale.ROOT, "%.0f", rate))
                        .collect(Collectors.joining(",")));
    }

    private static long megabytes(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes / (1024.0 * 1024.0));
    }

    private static double seconds(long fromNanos, long toNanos) {
        return Math.max(1, toNanos - fromNanos) / 1e9;
    }
}
