package io.scorestream.schemas;

/** Bytes that do not hold one valid Avro record of the expected type, and what was wrong. */
public final class AvroDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of bad input it was, so callers can count and route each kind on its own. */
    public enum Problem {
        /** No bytes at all. */
        EMPTY,
        /** The bytes cannot be read as this record: they end mid-field or hold invalid lengths. */
        MALFORMED,
        /**
         * The bytes read as Avro but do not fit this schema: bytes left over after a whole record,
         * or a string field that is not UTF-8 text. Typical of a record written with another
         * schema.
         */
        WRONG_SCHEMA,
        /** The record declares a string, bytes value or collection larger than the limits. */
        LIMIT_EXCEEDED
    }

    private final Problem problem;

    public AvroDecodeException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public AvroDecodeException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public AvroDecodeException(String message) {
        this(Problem.MALFORMED, message);
    }

    public AvroDecodeException(String message, Throwable cause) {
        this(Problem.MALFORMED, message, cause);
    }

    public Problem problem() {
        return problem;
    }
}
