package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One warmer's holds on the services it pre-warmed: a warmed version is held for the idle-unload
 * time from its last warming, then released like any version no operator calls, and every hold is
 * released when the warmer closes (its task ends, or fails over). A version stays loaded as long as
 * an inference operator holds it too. Thread-safe.
 */
final class WarmHolds implements AutoCloseable {

    /** A hold, and when it ends. */
    private record Hold(InferenceServices.Lease lease, long endsNanos) {}

    /** Releases holds as they end; its thread ends a minute after the last hold did. */
    private static final ScheduledThreadPoolExecutor RELEASER = releaser();

    private final Clock clock;
    private final Map<InferenceServices.Key, Hold> holds = new HashMap<>();
    private boolean closed;

    /**
     * @param clock the time holds end by
     */
    WarmHolds(Clock clock) {
        this.clock = clock;
    }

    private static ScheduledThreadPoolExecutor releaser() {
        ScheduledThreadPoolExecutor releaser =
                new ScheduledThreadPoolExecutor(
                        1,
                        task -> {
                            Thread thread = new Thread(task, "model-warm-holds");
                            thread.setDaemon(true);
                            return thread;
                        });
        releaser.setKeepAliveTime(1, TimeUnit.MINUTES);
        releaser.allowCoreThreadTimeOut(true);
        return releaser;
    }

    /**
     * Holds the service for {@code key} for {@code holdFor} more, starting it with {@code factory}
     * if none runs.
     *
     * @return the service, once loaded
     * @throws ModelCapacityException when starting it would pass {@code maxResident}
     * @throws IllegalStateException after {@link #close()}
     */
    synchronized CompletableFuture<InferenceService> hold(
            InferenceServices.Key key,
            Supplier<InferenceService> factory,
            int maxResident,
            Duration holdFor) {
        if (closed) {
            throw new IllegalStateException("the warm holds are closed");
        }
        Hold held = holds.remove(key);
        InferenceServices.Lease lease;
        if (held != null && !held.lease().service().isCompletedExceptionally()) {
            lease = held.lease();
        } else {
            if (held != null) {
                held.lease().close(); // its load failed: warm it again
            }
            lease = InferenceServices.acquire(key, factory, maxResident);
        }
        holds.put(key, new Hold(lease, clock.nanoTime() + holdFor.toNanos()));
        RELEASER.schedule(this::releaseEnded, holdFor.toNanos(), TimeUnit.NANOSECONDS);
        return lease.service();
    }

    /**
     * Releases the holds that have ended.
     *
     * @return how many
     */
    synchronized int releaseEnded() {
        int released = 0;
        long now = clock.nanoTime();
        for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
            Hold hold = it.next();
            if (now - hold.endsNanos() >= 0) {
                it.remove();
                hold.lease().close();
                released++;
            }
        }
        return released;
    }

    /** Releases every hold. */
    @Override
    public synchronized void close() {
        closed = true;
        holds.values().forEach(hold -> hold.lease().close());
        holds.clear();
    }
}
