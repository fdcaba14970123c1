package io.scorestream.model;

/**
 * A model folder cannot be trusted: a malformed or inconsistent manifest, a file listed in the
 * manifest is missing, or its SHA-256 does not match.
 */
public final class ModelIntegrityException extends ModelException {

    private static final long serialVersionUID = 1L;

    public ModelIntegrityException(String message) {
        super(message);
    }

    public ModelIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
