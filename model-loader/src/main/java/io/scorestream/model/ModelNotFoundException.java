package io.scorestream.model;

/** A model, a version or the repository root itself does not exist. The message lists what does. */
public final class ModelNotFoundException extends ModelException {

    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(String message) {
        super(message);
    }

    public ModelNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
