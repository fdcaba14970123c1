package io.scorestream.model;

/**
 * A verified model could not be brought up: unsupported engine, unavailable device, or DJL failed
 * to load or warm it up.
 */
public final class ModelLoadException extends ModelException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
