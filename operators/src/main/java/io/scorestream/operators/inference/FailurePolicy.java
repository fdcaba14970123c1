package io.scorestream.operators.inference;

/**
 * What an event gets when the model fails on it (an error isolated to its row) and no fallback
 * model answered. A failure usually means a bad input, which is why the dead-letter topic is the
 * default: a default score would hide it.
 */
public enum FailurePolicy {
    /** No prediction: the event goes to the dead-letter topic with reason INFERENCE_FAILED. */
    DEAD_LETTER,
    /**
     * A prediction with the default score, flagged {@code fallback} with reason INFERENCE_FAILED.
     */
    FALLBACK
}
