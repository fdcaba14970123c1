package io.scorestream.model;

/**
 * The engine failed while scoring a batch, or returned a result of the wrong size. Wraps the DJL
 * exception when there is one; the message names the model, version and batch size.
 */
public final class ModelExecutionException extends ModelException {

    private static final long serialVersionUID = 1L;

    public ModelExecutionException(String message) {
        super(message);
    }

    public ModelExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
