package io.scorestream.jobs.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

/**
 * Paces a source at a steady rate that never bursts: a source that falls behind (a pause, a
 * checkpoint) does not make up for it. Flink's own limiter stores up to a second of unused permits
 * and spends them at full speed, which queues thousands of events at once and shows in the latency
 * percentiles as the load generator's doing, not the pipeline's.
 */
final class SteadyRate implements RateLimiterStrategy<SourceSplit> {
    private static final long serialVersionUID = 1L;

    /** Events released together: pacing each one alone would cost a timer per event. */
    private static final int GRANT = 32;

    private final double perSecond;

    SteadyRate(double perSecond) {
        this.perSecond = perSecond;
    }

    @Override
    public RateLimiter<SourceSplit> createRateLimiter(int parallelism) {
        long nanosPerEvent = (long) (1e9 * parallelism / perSecond);
        return new Limiter(nanosPerEvent);
    }

    private static final class Limiter implements RateLimiter<SourceSplit> {
        private static final ScheduledExecutorService TIMER =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "bench-steady-rate");
                            thread.setDaemon(true);
                            return thread;
                        });

        private final long nanosPerEvent;
        private long nextNanos = System.nanoTime();
        private int granted;

        Limiter(long nanosPerEvent) {
            this.nanosPerEvent = nanosPerEvent;
        }

        @Override
        public CompletionStage<Void> acquire(int events) {
            granted += events;
            if (granted < GRANT) {
                return CompletableFuture.completedFuture(null);
            }
            long now = System.nanoTime();
            nextNanos = Math.max(nextNanos, now - GRANT * nanosPerEvent) + granted * nanosPerEvent;
            granted = 0;
            long waitNanos = nextNanos - now;
            if (waitNanos <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> due = new CompletableFuture<>();
            TIMER.schedule(() -> due.complete(null), waitNanos, TimeUnit.NANOSECONDS);
            return due;
        }
    }
}
