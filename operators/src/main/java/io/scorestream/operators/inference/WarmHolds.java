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
 * The JVM-wide holds on pre-warmed services: a warmed version is held for the idle-unload time from
 * its last warming, then released like any version no operator calls. It stays loaded as long as an
 * operator holds it too. One hold per service, however many routing subtasks warm it.
 */
final class WarmHolds {

    /** A hold, and when it ends on the clock it was taken with. */
    private record Hold(InferenceServices.Lease lease, Clock clock, long endsNanos) {}

    private static final Map<InferenceServices.Key, Hold> HOLDS = new HashMap<>();

    /** Releases holds as they end; its thread ends a minute after the last hold did. */
    private static final ScheduledThreadPoolExecutor RELEASER = releaser();

    private WarmHolds() {}

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
        releaser.setRemoveOnCancelPolicy(true);
        return releaser;
    }

    /**
     * Holds the service for {@code key} for {@code holdFor} more, starting it with {@code factory}
     * if none runs.
     *
     * @return the service, once loaded
     * @throws ModelCapacityException when starting it would pass {@code maxResident}
     */
    static CompletableFuture<InferenceService> hold(
            InferenceServices.Key key,
            Supplier<InferenceService> factory,
            int maxResident,
            Duration holdFor,
            Clock clock) {
        InferenceServices.Lease lease;
        synchronized (HOLDS) {
            Hold held = HOLDS.remove(key);
            if (held != null && !held.lease().service().isCompletedExceptionally()) {
                lease = held.lease();
            } else {
                if (held != null) {
                    held.lease().close(); // its load failed: warm it again
                }
                lease = InferenceServices.acquire(key, factory, maxResident);
            }
            HOLDS.put(key, new Hold(lease, clock, clock.nanoTime() + holdFor.toNanos()));
        }
        RELEASER.schedule(WarmHolds::releaseEnded, holdFor.toNanos(), TimeUnit.NANOSECONDS);
        return lease.service();
    }

    /**
     * Releases the holds that have ended.
     *
     * @return how many
     */
    static int releaseEnded() {
        int released = 0;
        synchronized (HOLDS) {
            for (Iterator<Hold> it = HOLDS.values().iterator(); it.hasNext(); ) {
                Hold hold = it.next();
                if (hold.clock().nanoTime() - hold.endsNanos() >= 0) {
                    it.remove();
                    hold.lease().close();
                    released++;
                }
            }
        }
        return released;
    }

    /** Whether {@code key} is held warm now. */
    static boolean holds(InferenceServices.Key key) {
        synchronized (HOLDS) {
            return HOLDS.containsKey(key);
        }
    }
}
