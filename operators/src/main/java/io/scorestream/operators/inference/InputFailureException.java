package io.scorestream.operators.inference;

import io.scorestream.model.InvalidModelInputException;

/**
 * The model failed on one row while other rows of its batch scored: the batch was split until the
 * row failed alone, so its input is at fault, not the model. Its cause is the model's error, which
 * the row's result reports. Like an {@link InvalidModelInputException}, it is an input failure: the
 * row takes the failure path, but the model version's circuit breaker does not count it.
 */
final class InputFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFailureException(RuntimeException modelError) {
        super(modelError.getMessage(), modelError, false, false);
    }

    /** Whether {@code error} is about the row's input rather than the model. */
    static boolean isInputFailure(Throwable error) {
        return error instanceof InputFailureException
                || error instanceof InvalidModelInputException;
    }

    /** The error to report for the row: the model's own, not this wrapper. */
    static Throwable reported(Throwable error) {
        return error instanceof InputFailureException ? error.getCause() : error;
    }
}
