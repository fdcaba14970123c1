package io.scorestream.model;

import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded, verified, warmed-up model version. Obtain one from {@link ModelLoader#load}.
 *
 * <p>{@link #predict} is thread-safe: it borrows a {@link ModelSession} from a pool that grows to
 * the number of threads predicting at once and reuses them. A thread that predicts all the time (a
 * batching worker) can own a dedicated session via {@link #newSession()} instead.
 *
 * <p>{@link #close()} waits for predictions in flight, then releases every session and the native
 * model; predicting afterwards throws {@link IllegalStateException}.
 */
public final class ScoringModel implements AutoCloseable {

    private final ZooModel<RowBatch, float[]> model;
    private final ModelManifest manifest;
    private final DeviceSpec device;
    private final long[] inputRowShape;
    private final int inputWidth;
    private final int outputWidth;

    private final Deque<ModelSession> idleSessions = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pooledSessionsCreated = new AtomicInteger();

    /** Read side: any prediction or session creation; write side: {@link #close()}. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private volatile boolean closed;

    ScoringModel(ZooModel<RowBatch, float[]> model, ModelManifest manifest, DeviceSpec device) {
        this.model = model;
        this.manifest = manifest;
        this.device = device;
        this.inputRowShape = manifest.input().shapeAsLongs();
        this.inputWidth = manifest.input().elementCount();
        this.outputWidth = manifest.output().elementCount();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public DeviceSpec device() {
        return device;
    }

    /** Values per input row: the element count of the manifest's input shape. */
    public int inputWidth() {
        return inputWidth;
    }

    /** Values per output row: the element count of the manifest's output shape. */
    public int outputWidth() {
        return outputWidth;
    }

    /**
     * Scores a batch in one forward pass. Thread-safe. See {@link ModelSession#predict} for the
     * contract.
     */
    public float[][] predict(float[][] rows) {
        acquire();
        try {
            ModelSession session = idleSessions.pollFirst();
            if (session == null) {
                session = createSession();
                pooledSessionsCreated.incrementAndGet();
            }
            try {
                return session.predictWhileAcquired(rows);
            } finally {
                // LIFO, so a small number of hot sessions serve most calls.
                idleSessions.offerFirst(session);
            }
        } finally {
            release();
        }
    }

    /**
     * A dedicated session for one thread. The caller closes it; closing the model releases it too.
     *
     * @throws IllegalStateException when the model is closed
     */
    public ModelSession newSession() {
        acquire();
        try {
            return createSession();
        } finally {
            release();
        }
    }

    /** Waits for predictions in flight, then releases all sessions and the model. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            for (ModelSession session = idleSessions.pollFirst();
                    session != null;
                    session = idleSessions.pollFirst()) {
                try {
                    session.close();
                } catch (RuntimeException e) {
                    failure = addFailure(failure, e);
                }
            }
            try {
                model.close();
            } catch (RuntimeException e) {
                failure = addFailure(failure, e);
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "ScoringModel[" + manifest.displayName() + " on " + device + "]";
    }

    void acquire() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new IllegalStateException("model " + manifest.displayName() + " is closed");
        }
    }

    void release() {
        lifecycle.readLock().unlock();
    }

    /** Validates and flattens rows; an empty batch yields an empty {@link RowBatch}. */
    RowBatch toBatch(float[][] rows) {
        if (rows == null) {
            throw new InvalidModelInputException(
                    "model " + manifest.displayName() + ": rows must not be null");
        }
        float[] values = new float[Math.multiplyExact(rows.length, inputWidth)];
        for (int i = 0; i < rows.length; i++) {
            float[] row = rows[i];
            if (row == null || row.length != inputWidth) {
                throw new InvalidModelInputException(
                        "model "
                                + manifest.displayName()
                                + ": row "
                                + i
                                + (row == null ? " is null" : " has " + row.length + " values")
                                + ", expected "
                                + inputWidth
                                + " (input '"
                                + manifest.input().name()
                                + "' of shape "
                                + manifest.input().shape()
                                + ", flattened)");
            }
            System.arraycopy(row, 0, values, i * inputWidth, inputWidth);
        }
        return new RowBatch(values, rows.length, inputRowShape);
    }

    /** Sessions the pool has created so far; for tests of pool reuse. */
    int pooledSessionsCreated() {
        return pooledSessionsCreated.get();
    }

    /**
     * NDArrays held by sessions and their per-call contexts, i.e. attached below the model's native
     * memory manager but not to it directly (the model's own parameters are); for leak tests.
     */
    int sessionNativeArrays() {
        NDManager modelManager = model.getNDManager();
        return (int)
                modelManager.getManagedArrays().stream()
                        .filter(array -> array.getManager() != modelManager)
                        .count();
    }

    /** The model's native memory manager; for leak tests. */
    NDManager nativeManager() {
        return model.getNDManager();
    }

    private ModelSession createSession() {
        return new ModelSession(this, model.newPredictor());
    }

    private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
