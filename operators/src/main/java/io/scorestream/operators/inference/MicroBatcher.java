package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue that hands out batches. A batch is ready when {@code maxBatchSize} items wait, or
 * when the oldest has waited {@code maxDelay} (at once when the delay is zero). Time comes from the
 * injected {@link Clock}.
 */
public final class MicroBatcher<T> {

    /** An item with the time it was queued. */
    public record Queued<T>(T item, long enqueuedNanos) {}

    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int capacity;
    private final Clock clock;

    private final ArrayDeque<Queued<T>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition itemsAdded = lock.newCondition();
    private final Condition spaceFreed = lock.newCondition();
    private boolean closed;

    public MicroBatcher(BatchingConfig config, Clock clock) {
        this.maxBatchSize = config.maxBatchSize();
        this.maxDelayNanos = config.maxDelay().toNanos();
        this.capacity = config.queueCapacity();
        this.clock = clock;
    }

    /** Queues an item if there is room; returns false when the queue is full. */
    public boolean offer(T item) {
        lock.lock();
        try {
            ensureOpen();
            if (queue.size() >= capacity) {
                return false;
            }
            enqueue(item);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues an item, waiting up to {@code timeout} for room; returns false if none came. */
    public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (queue.size() >= capacity) {
                ensureOpen();
                if (remaining <= 0) {
                    return false;
                }
                remaining = spaceFreed.awaitNanos(remaining);
            }
            ensureOpen();
            enqueue(item);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The ready batch, or an empty list when none is ready yet. Never blocks. */
    public List<Queued<T>> poll() {
        lock.lock();
        try {
            return takeReady();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a ready batch. After {@link #close()}, returns what is left (ready or not) and then
     * an empty list, which tells a worker to stop.
     */
    public List<Queued<T>> take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                List<Queued<T>> batch = closed ? takeUpTo(maxBatchSize) : takeReady();
                if (!batch.isEmpty() || closed) {
                    return batch;
                }
                if (queue.isEmpty()) {
                    itemsAdded.await();
                } else {
                    itemsAdded.awaitNanos(nanosUntilDue());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting items and wakes every waiter; queued items are still handed out. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            itemsAdded.signalAll();
            spaceFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(T item) {
        queue.addLast(new Queued<>(item, clock.nanoTime()));
        itemsAdded.signal();
    }

    private List<Queued<T>> takeReady() {
        if (queue.size() >= maxBatchSize || (!queue.isEmpty() && nanosUntilDue() <= 0)) {
            return takeUpTo(maxBatchSize);
        }
        return List.of();
    }

    private long nanosUntilDue() {
        return queue.peekFirst().enqueuedNanos() + maxDelayNanos - clock.nanoTime();
    }

    private List<Queued<T>> takeUpTo(int limit) {
        int n = Math.min(limit, queue.size());
        if (n == 0) {
            return List.of();
        }
        List<Queued<T>> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(queue.pollFirst());
        }
        spaceFreed.signalAll();
        if (!queue.isEmpty()) {
            // Another worker may be able to take the rest.
            itemsAdded.signal();
        }
        return batch;
    }

    private void ensureOpen() {
        if (closed) {
            throw new RejectedExecutionException("the inference queue is closed");
        }
    }
}
