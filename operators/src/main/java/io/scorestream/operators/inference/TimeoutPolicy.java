package io.scorestream.operators.inference;

/** What an event gets when its inference does not finish within the async timeout. */
public enum TimeoutPolicy {
    /**
     * A prediction with the fallback score, flagged {@code fallback} with reason INFERENCE_TIMEOUT.
     */
    FALLBACK,
    /** No prediction: the event goes to the dead-letter topic with reason INFERENCE_TIMEOUT. */
    DEAD_LETTER
}
