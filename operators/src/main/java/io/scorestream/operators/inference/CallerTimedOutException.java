package io.scorestream.operators.inference;

import java.util.concurrent.TimeoutException;

/**
 * A row was dropped before the model call: its caller had already timed out (the model timeout, or
 * the async operator's timeout of its bundle), so no model time was spent on it. Counted as {@code
 * shedRows} of its model version. Without a stack trace: it is an expected outcome under overload,
 * when it is frequent.
 */
final class CallerTimedOutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    CallerTimedOutException(String model) {
        super("dropped before the call to " + model + ": its caller had timed out");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
