package io.scorestream.operators.inference;

import io.scorestream.model.ModelExecutionException;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written model for the inference service: a reference version's manifest, and the scores or
 * errors the test scripts. It records every row it is asked to score, and can hold its callers at a
 * gate (so that rows queue up behind a batch in progress).
 */
final class ScriptedModel implements BatchModel {

    /** What one predict call does with its batch. */
    @FunctionalInterface
    interface Script {
        float[][] predict(float[][] rows);
    }

    /** Each row's score is its first value. */
    static final Script ECHO =
            rows -> {
                float[][] scores = new float[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    scores[i] = new float[] {rows[i][0]};
                }
                return scores;
            };

    /** Fails a batch that holds a row starting with NaN, as an engine fails on an input. */
    static final Script FAILS_ON_NAN =
            rows -> {
                for (float[] row : rows) {
                    if (Float.isNaN(row[0])) {
                        throw new ModelExecutionException("the engine failed on a NaN");
                    }
                }
                return ECHO.predict(rows);
            };

    /** Fails every batch. */
    static final Script BROKEN =
            rows -> {
                throw new ModelExecutionException("the engine is broken");
            };

    private final ModelManifest manifest;
    private final List<float[]> seen = new ArrayList<>();
    private final Semaphore waiting = new Semaphore(0);
    private volatile Script script;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch closed = new CountDownLatch(1);

    /** A model with the manifest of reference version {@code model:version}. */
    ScriptedModel(String model, String version, Script script) {
        this.manifest =
                ModelRepository.at(ReferenceModels.root()).resolve(model, version).manifest();
        this.script = script;
    }

    /** Changes what the next predict calls do. */
    void script(Script next) {
        this.script = next;
    }

    /** Makes the next predict calls wait at a gate until {@link #openGate()}. */
    void closeGate() {
        gate = new CountDownLatch(1);
    }

    void openGate() {
        gate.countDown();
    }

    /** Waits until a predict call waits at the gate. */
    void awaitCallAtGate() throws InterruptedException {
        if (!waiting.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no predict call reached the gate in 30 s");
        }
    }

    /** Every row predict was called with, in order. */
    List<float[]> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Waits (30 s at most) until the model is closed. */
    void awaitClosed() throws InterruptedException {
        if (!closed.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the model was not closed in 30 s");
        }
    }

    @Override
    public ModelManifest manifest() {
        return manifest;
    }

    @Override
    public Session newSession() {
        return new Session() {
            @Override
            public float[][] predict(float[][] rows) {
                synchronized (seen) {
                    seen.addAll(List.of(rows));
                }
                CountDownLatch current = gate;
                if (current.getCount() > 0) {
                    waiting.release();
                    try {
                        if (!current.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the gate stayed closed for 30 s");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                return script.predict(rows);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
