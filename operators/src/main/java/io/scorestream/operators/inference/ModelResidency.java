package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One operator's hold on the inference services it uses, for operators that serve several model
 * versions (a rollout, a shadow model). Services are acquired lazily, at most {@code maxResident}
 * running in the JVM, and a version this operator has not used for {@code idleUnload} is released,
 * so it is unloaded once no other operator of the TaskManager uses it either. A service starts
 * loading on a loader thread (see {@link InferenceServices}); a version whose load failed is let go
 * and loaded again on its next use.
 *
 * <p>The operator calls {@link #releaseIdle()} from time to time (e.g. on a timer or every few
 * requests) and {@link #close()} when it closes. Thread-safe; idle time is read from the injected
 * {@link Clock}.
 */
public final class ModelResidency implements AutoCloseable {

    private static final class Held {
        final InferenceServices.Lease lease;
        long lastUsedNanos;

        Held(InferenceServices.Lease lease) {
            this.lease = lease;
        }
    }

    private final int maxResident;
    private final long idleUnloadNanos;
    private final Clock clock;
    private final Function<InferenceServices.Key, InferenceService> factory;
    private final Map<InferenceServices.Key, Held> held = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param maxResident most services running in the JVM ({@code scorestream.model.max-resident})
     * @param idleUnload how long an unused service is kept ({@code scorestream.model.idle-unload})
     * @param clock the time idleness is measured with
     * @param factory starts the service for a key when none runs (loads the model)
     */
    public ModelResidency(
            int maxResident,
            Duration idleUnload,
            Clock clock,
            Function<InferenceServices.Key, InferenceService> factory) {
        if (maxResident < 1) {
            throw new IllegalArgumentException("maxResident must be >= 1: " + maxResident);
        }
        if (idleUnload.isNegative() || idleUnload.isZero()) {
            throw new IllegalArgumentException("idleUnload must be positive: " + idleUnload);
        }
        this.maxResident = maxResident;
        this.idleUnloadNanos = idleUnload.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * The service for {@code key}, joined (or started loading) on first use; marks it used now.
     * Returns at once: the future completes when the model is loaded. When the JVM is at its bound,
     * this operator's own idle services are released first and the start is tried once more.
     *
     * @throws ModelCapacityException when the bound is still reached
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized CompletableFuture<InferenceService> serviceFor(InferenceServices.Key key) {
        if (closed) {
            throw new IllegalStateException("model residency is closed");
        }
        Held entry = held.get(key);
        if (entry != null && entry.lease.service().isCompletedExceptionally()) {
            held.remove(key); // its load failed: let go of it, and load again
            entry.lease.close();
            entry = null;
        }
        if (entry == null) {
            entry = new Held(acquire(key));
            held.put(key, entry);
        }
        entry.lastUsedNanos = clock.nanoTime();
        return entry.lease.service();
    }

    private InferenceServices.Lease acquire(InferenceServices.Key key) {
        Supplier<InferenceService> start = () -> factory.apply(key);
        try {
            return InferenceServices.acquire(key, start, maxResident);
        } catch (ModelCapacityException full) {
            if (releaseIdle() == 0) {
                throw full;
            }
            return InferenceServices.acquire(key, start, maxResident);
        }
    }

    /**
     * Releases every service not used for longer than the idle timeout.
     *
     * @return how many were released
     */
    public synchronized int releaseIdle() {
        long now = clock.nanoTime();
        int released = 0;
        RuntimeException failure = null;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held entry = it.next();
            if (now - entry.lastUsedNanos > idleUnloadNanos) {
                it.remove();
                released++;
                failure = release(entry, failure);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return released;
    }

    /** The keys this operator holds now. */
    public synchronized Set<InferenceServices.Key> held() {
        return Set.copyOf(held.keySet());
    }

    /** Releases every service; a failure to close one is thrown after all were released. */
    @Override
    public synchronized void close() {
        closed = true;
        RuntimeException failure = null;
        for (Held entry : held.values()) {
            failure = release(entry, failure);
        }
        held.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException release(Held entry, RuntimeException earlier) {
        try {
            entry.lease.close();
            return earlier;
        } catch (RuntimeException e) {
            if (earlier == null) {
                return e;
            }
            earlier.addSuppressed(e);
            return earlier;
        }
    }
}
