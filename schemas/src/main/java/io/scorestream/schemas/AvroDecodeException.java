package io.scorestream.schemas;

/** Bytes that do not hold one valid Avro record of the expected type. */
public final class AvroDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AvroDecodeException(String message) {
        super(message);
    }

    public AvroDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
