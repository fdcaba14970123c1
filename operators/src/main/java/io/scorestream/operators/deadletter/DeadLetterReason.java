package io.scorestream.operators.deadletter;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Why a record was dead-lettered. The name is written to the record; each has its own counter.
 *
 * <p>Reasons of the DECODE and VALIDATE stages are the {@code EventDecoder}'s (its tests produce
 * each one); give another operator's reasons a stage of their own.
 */
public enum DeadLetterReason {
    /** The record has no value, or an empty one. */
    EMPTY_VALUE(Stage.DECODE),
    /** The value is larger than {@code scorestream.input.max-record-size}. */
    OVERSIZED_RECORD(Stage.DECODE),
    /** Confluent wire format expected, but the value does not start with magic byte 0. */
    BAD_MAGIC_BYTE(Stage.DECODE),
    /** Confluent wire format, but the schema id is not one of the accepted ids. */
    UNKNOWN_SCHEMA_ID(Stage.DECODE),
    /** The value cannot be read as an InferenceEvent: not Avro, or truncated. */
    UNDECODABLE(Stage.DECODE),
    /** The value reads as Avro but not of this schema (trailing bytes, non-UTF-8 strings). */
    WRONG_SCHEMA(Stage.DECODE),
    /** The value declares a string or collection beyond the reader limits. */
    OVERSIZED_FIELD(Stage.DECODE),
    /** The record has no key, and {@code scorestream.input.require-key} is set. */
    MISSING_KEY(Stage.VALIDATE),
    MISSING_EVENT_ID(Stage.VALIDATE),
    MISSING_SESSION_ID(Stage.VALIDATE),
    UNKNOWN_EVENT_TYPE(Stage.VALIDATE),
    WRONG_FEATURE_COUNT(Stage.VALIDATE),
    NON_FINITE_FEATURE(Stage.VALIDATE),
    /** A feature lies outside its configured bounds. */
    OUT_OF_RANGE_FEATURE(Stage.VALIDATE),
    /** The event is older than {@code scorestream.input.max-event-age}. */
    LATE_EVENT(Stage.VALIDATE),
    /** No model answered within the timeout. */
    INFERENCE_TIMEOUT(Stage.INFERENCE),
    /** The model failed on this event's input. */
    INFERENCE_FAILED(Stage.INFERENCE),
    /** The model's circuit breaker was open, and no fallback model answered. */
    CIRCUIT_OPEN(Stage.INFERENCE),
    /**
     * The model version could not be loaded or had no room in its queue, and no fallback answered.
     */
    MODEL_UNAVAILABLE(Stage.INFERENCE),
    /** The user spent the window's compute budget ({@code scorestream.budget.*}). */
    OVER_BUDGET(Stage.BUDGET);

    /** Pipeline stage that rejects a record. */
    public enum Stage {
        DECODE,
        VALIDATE,
        BUDGET,
        INFERENCE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * Whether a record rejected at the stage labelled {@code label} had already been folded
         * into its session's state: the budget and inference stages come after the session
         * featurizer. False for a null or unknown label.
         */
        public static boolean foldedIntoSession(String label) {
            return BUDGET.label().equals(label) || INFERENCE.label().equals(label);
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

    /** Every reason of the given stages, in declaration order. */
    public static Set<DeadLetterReason> ofStages(Stage... stages) {
        List<Stage> wanted = Arrays.asList(stages);
        EnumSet<DeadLetterReason> reasons = EnumSet.noneOf(DeadLetterReason.class);
        for (DeadLetterReason reason : values()) {
            if (wanted.contains(reason.stage)) {
                reasons.add(reason);
            }
        }
        return reasons;
    }
}
