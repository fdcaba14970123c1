package io.scorestream.jobs.config;

/** A command line that cannot be understood; the message says what is wrong and how to call it. */
public final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
