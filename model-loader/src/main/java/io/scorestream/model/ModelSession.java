package io.scorestream.model;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;

/**
 * One DJL predictor of a {@link ScoringModel}, for use by a single thread at a time (a batching
 * worker owns one). Create with {@link ScoringModel#newSession()}; close when done. Closing the
 * model also releases its sessions' native resources; a session of a closed model refuses to
 * predict.
 */
public final class ModelSession implements AutoCloseable {

    private final ScoringModel owner;
    private final Predictor<RowBatch, float[]> predictor;
    private boolean closed;

    ModelSession(ScoringModel owner, Predictor<RowBatch, float[]> predictor) {
        this.owner = owner;
        this.predictor = predictor;
    }

    /**
     * Scores a batch in one forward pass. Not thread-safe.
     *
     * @param rows one flattened model input per row, each of length {@link
     *     ScoringModel#inputWidth()}
     * @return one output per row, each of length {@link ScoringModel#outputWidth()}, in row order;
     *     an empty array, without calling the model, for no rows
     * @throws InvalidModelInputException when {@code rows} or a row is null or of the wrong length
     * @throws ModelExecutionException when the engine fails or returns the wrong number of values
     * @throws IllegalStateException when this session or its model is closed
     */
    public float[][] predict(float[][] rows) {
        owner.acquire();
        try {
            return predictWhileAcquired(rows);
        } finally {
            owner.release();
        }
    }

    /** The body of {@link #predict}; the caller holds the model's lifecycle lock. */
    float[][] predictWhileAcquired(float[][] rows) {
        if (closed) {
            throw new IllegalStateException(
                    "session of model " + owner.manifest().displayName() + " is closed");
        }
        RowBatch batch = owner.toBatch(rows);
        if (batch.rows() == 0) {
            return new float[0][];
        }
        float[] flat;
        try {
            flat = predictor.predict(batch);
        } catch (TranslateException | RuntimeException e) {
            throw new ModelExecutionException(failure(batch.rows()) + ": " + rootMessage(e), e);
        }
        int width = owner.outputWidth();
        long expected = (long) batch.rows() * width;
        if (flat.length != expected) {
            throw new ModelExecutionException(
                    failure(batch.rows())
                            + ": expected "
                            + expected
                            + " output values ("
                            + batch.rows()
                            + " rows x "
                            + width
                            + ", output shape "
                            + owner.manifest().output().shape()
                            + "), the model returned "
                            + flat.length);
        }
        float[][] result = new float[batch.rows()][];
        for (int i = 0; i < result.length; i++) {
            result[i] = new float[width];
            System.arraycopy(flat, i * width, result[i], 0, width);
        }
        return result;
    }

    /** Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            predictor.close();
        }
    }

    private String failure(int batchSize) {
        return "model "
                + owner.manifest().displayName()
                + " failed to score a batch of "
                + batchSize
                + " rows on "
                + owner.device();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
