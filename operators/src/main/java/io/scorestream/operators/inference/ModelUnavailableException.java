package io.scorestream.operators.inference;

/** A model version was not called: not loaded, its breaker open, or its queue full. */
public class ModelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message) {
        super(message);
    }
}
