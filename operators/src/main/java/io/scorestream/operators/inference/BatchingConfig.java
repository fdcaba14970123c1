package io.scorestream.operators.inference;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the inference service forms batches and how many run at once.
 *
 * @param maxBatchSize most rows in one model call
 * @param maxDelay how long the oldest queued row may wait for a batch to fill; zero means a free
 *     worker takes whatever is queued at once (small batches at low load, full ones at high load)
 * @param queueCapacity rows that may wait; a full queue blocks the submitting operator, which
 *     back-pressures Flink instead of growing memory
 * @param workerThreads threads calling the model, each with its own predictor
 */
public record BatchingConfig(
        int maxBatchSize, Duration maxDelay, int queueCapacity, int workerThreads)
        implements Serializable {

    public BatchingConfig {
        requirePositive("maxBatchSize", maxBatchSize);
        requirePositive("queueCapacity", queueCapacity);
        requirePositive("workerThreads", workerThreads);
        if (maxDelay == null || maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must be zero or positive: " + maxDelay);
        }
        if (queueCapacity < maxBatchSize) {
            throw new IllegalArgumentException(
                    "queueCapacity ("
                            + queueCapacity
                            + ") must hold at least one full batch (maxBatchSize "
                            + maxBatchSize
                            + ")");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
