package io.scorestream.jobs.bench;

/** Turns a Kafka case's input topic into its output topic: a Flink job or the Python peer. */
@FunctionalInterface
interface Contender {

    /** Starts on {@code input}; returns once it consumes. Closing the result stops it. */
    Running start(String input, String output, String runId) throws Exception;

    /** A contender at work. */
    interface Running extends AutoCloseable {
        /** What it holds now. */
        StateSize state() throws Exception;
    }
}
