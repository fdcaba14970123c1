package io.scorestream.operators.inference;

/** What became of one model call on an event's path (see the Avro {@code ModelStep}). */
public enum StepOutcome {
    /** The model answered; its score is the prediction's. */
    SCORED,
    /** The answer came from the result cache. */
    CACHED,
    /** The model answered in the cascade's uncertain band; the large model was asked next. */
    ESCALATED,
    /** The model did not answer within the model timeout. */
    TIMEOUT,
    /** The model failed on this input. */
    FAILED,
    /** The model's circuit breaker was open: it was not called. */
    CIRCUIT_OPEN,
    /** The model version could not be loaded or is not resident: it was not called. */
    UNAVAILABLE;

    /** Whether the call produced a score. */
    public boolean answered() {
        return this == SCORED || this == CACHED || this == ESCALATED;
    }
}
