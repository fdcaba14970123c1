package io.scorestream.operators.inference;

import java.time.Duration;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;

/**
 * Flink's async operator around an {@link InferenceFunction}, with the models' answers handled on
 * the operator's mailbox thread. Unordered, or ordered to keep each subtask's arrival order (and so
 * every key's, for a keyed stream whose keys stay on their subtask).
 *
 * <p>Why: a model's worker thread is the pipeline's bottleneck when the model is, and each answer
 * still needs bookkeeping (metrics, breaker, cache, cascade or fallback, building the result): 14 %
 * of the GRU worker's time in a profile of the benchmark, and more than the model itself for the
 * MLP. On the task thread it runs beside the model instead of in its way. The answers go through
 * the async operator's own mailbox executor, so they are also processed while the operator waits
 * for room in its queue. The function also learns the operator's timeout, so requests of a bundle
 * that timed out are dropped before they reach a model.
 */
public final class InferenceOperatorFactory
        extends AsyncWaitOperatorFactory<RequestBundle, InferenceResult> {
    private static final long serialVersionUID = 1L;

    private final InferenceFunction function;

    /**
     * @param timeout a bundle's time to be answered, after which its unanswered requests get the
     *     timeout policy's result
     * @param capacity bundles in flight per subtask
     */
    public InferenceOperatorFactory(InferenceFunction function, Duration timeout, int capacity) {
        this(function, timeout, capacity, AsyncDataStream.OutputMode.UNORDERED);
    }

    /**
     * @param timeout a bundle's time to be answered, after which its unanswered requests get the
     *     timeout policy's result
     * @param capacity bundles in flight per subtask
     * @param outputMode UNORDERED: results leave as they come; ORDERED: in the order the bundles
     *     arrived (a bundle's results are always in its requests' order)
     */
    public InferenceOperatorFactory(
            InferenceFunction function,
            Duration timeout,
            int capacity,
            AsyncDataStream.OutputMode outputMode) {
        super(function, timeout.toMillis(), capacity, outputMode);
        this.function = function;
        function.bundleTimeout(timeout);
    }

    @Override
    public <T extends StreamOperator<InferenceResult>> T createStreamOperator(
            StreamOperatorParameters<InferenceResult> parameters) {
        MailboxExecutor mailbox = getMailboxExecutor();
        function.handleAnswersOn(answers -> mailbox.execute(answers::run, "model answers"));
        return super.createStreamOperator(parameters);
    }
}
