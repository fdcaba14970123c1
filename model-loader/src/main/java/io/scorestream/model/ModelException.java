package io.scorestream.model;

/**
 * Base of every error this module raises, so callers can catch model problems in one place while
 * still telling a missing model from a corrupt one, a failed load or a bad input row.
 */
public abstract class ModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected ModelException(String message) {
        super(message);
    }

    protected ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
