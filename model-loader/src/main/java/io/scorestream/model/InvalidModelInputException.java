package io.scorestream.model;

/**
 * Rows handed to {@code predict} do not fit the model's input: a null batch, a null row or a row
 * whose length is not the input's element count. Nothing was sent to the engine.
 */
public final class InvalidModelInputException extends ModelException {

    private static final long serialVersionUID = 1L;

    public InvalidModelInputException(String message) {
        super(message);
    }
}
