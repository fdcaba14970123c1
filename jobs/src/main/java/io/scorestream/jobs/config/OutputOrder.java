package io.scorestream.jobs.config;

import org.apache.flink.streaming.api.datastream.AsyncDataStream;

/**
 * In which order predictions leave the async inference operator ({@code
 * scorestream.inference.output-order}).
 */
public enum OutputOrder {
    /**
     * As soon as each is scored: a session's predictions can leave out of event order when their
     * events were scored in different batches.
     */
    UNORDERED(AsyncDataStream.OutputMode.UNORDERED),

    /**
     * Each operator subtask emits in the order its events arrived. A session's events all pass one
     * subtask (the stream is keyed by session before the featurizer, and the async operator is
     * chained to it), so every session's predictions leave in event order; an answered event waits
     * for the earlier ones of its subtask, of any session.
     */
    PER_KEY(AsyncDataStream.OutputMode.ORDERED);

    private final AsyncDataStream.OutputMode asyncMode;

    OutputOrder(AsyncDataStream.OutputMode asyncMode) {
        this.asyncMode = asyncMode;
    }

    /** The async operator's output mode that gives this order. */
    public AsyncDataStream.OutputMode asyncMode() {
        return asyncMode;
    }
}
