package io.scorestream.jobs.bench;

import java.time.Duration;

/** How long each phase of a case runs. */
record BenchTimings(Duration warmup, Duration measure, Duration bareWarmup, Duration bareMeasure) {

    static BenchTimings full() {
        return new BenchTimings(
                Duration.ofSeconds(15),
                Duration.ofSeconds(15),
                Duration.ofSeconds(2),
                Duration.ofSeconds(4));
    }

    /** For CI smoke runs: every case runs, figures are rough. */
    static BenchTimings quick() {
        return new BenchTimings(
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofMillis(300),
                Duration.ofMillis(700));
    }
}
