package io.scorestream.operators.deadletter;

/** Why a record was dead-lettered. The name is written to the record; each has its own counter. */
public enum DeadLetterReason {
    EMPTY_VALUE(Stage.DECODE),
    UNDECODABLE(Stage.DECODE),
    MISSING_EVENT_ID(Stage.VALIDATE),
    MISSING_SESSION_ID(Stage.VALIDATE),
    UNKNOWN_EVENT_TYPE(Stage.VALIDATE),
    WRONG_FEATURE_COUNT(Stage.VALIDATE),
    NON_FINITE_FEATURE(Stage.VALIDATE),
    INFERENCE_TIMEOUT(Stage.INFERENCE),
    INFERENCE_FAILED(Stage.INFERENCE);

    /** Pipeline stage that rejects a record. */
    public enum Stage {
        DECODE,
        VALIDATE,
        INFERENCE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Stage stage;

    DeadLetterReason(Stage stage) {
        this.stage = stage;
    }

    public Stage stage() {
        return stage;
    }

    /** Metric name of this reason's counter, e.g. {@code deadLetters_MISSING_SESSION_ID}. */
    public String counterName() {
        return "deadLetters_" + name();
    }
}
