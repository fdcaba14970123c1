package io.scorestream.operators.inference;

/** The model's output for one row, with how long it queued and what its batch cost. */
public record ScoredRow(float[] scores, long queueWaitNanos, long computeNanos, int batchSize) {}
