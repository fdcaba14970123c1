package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.registry.GpuAssignment;
import io.scorestream.operators.time.Clock;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Sends each request to the TaskManager's shared {@link InferenceService} and completes with its
 * scores. Every path completes the result future: success, model error (dead letter) and timeout
 * (fallback or dead letter, as configured). A slow or failing model degrades records, never the
 * job.
 *
 * <p>Use with {@code AsyncDataStream.unorderedWait}: Flink checkpoints the in-flight requests and
 * re-sends them after a restore, so none is lost.
 */
public class InferenceFunction extends RichAsyncFunction<InferenceRequest, InferenceResult> {
    private static final long serialVersionUID = 1L;

    private final ModelTarget target;
    private final InferenceSettings settings;

    private transient InferenceServices.Lease lease;
    private transient InferenceMetrics metrics;

    /** Requests not yet ended; a model answer arriving after the timeout finds its request gone. */
    private transient Set<InferenceRequest> pending;

    public InferenceFunction(ModelTarget target, InferenceSettings settings) {
        this.target = target;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        InferenceServices.Key key =
                new InferenceServices.Key(
                        settings.modelRepository(),
                        target.name(),
                        target.version(),
                        settings.device());
        lease =
                InferenceServices.acquire(
                        key, () -> startService(key), settings.registry().maxResident());
        metrics =
                new InferenceMetrics(
                        getRuntimeContext().getMetricGroup(),
                        target.name(),
                        target.version(),
                        () -> lease.service().queueDepth());
        pending = ConcurrentHashMap.newKeySet();
    }

    private InferenceService startService(InferenceServices.Key key) {
        return new InferenceServiceFactory(
                        settings,
                        GpuAssignment.fromRuntimeContext(getRuntimeContext()),
                        Clock.system())
                .apply(key);
    }

    @Override
    public void asyncInvoke(InferenceRequest request, ResultFuture<InferenceResult> resultFuture)
            throws Exception {
        long submitted = System.nanoTime();
        pending.add(request);
        metrics.requested();
        lease.service()
                .submit(request.input)
                .whenComplete(
                        (row, error) -> {
                            if (!pending.remove(request)) {
                                return; // timed out already; Flink has its answer
                            }
                            long micros = (System.nanoTime() - submitted) / 1_000;
                            if (error == null) {
                                metrics.scored(row);
                                resultFuture.complete(
                                        Collections.singleton(
                                                InferenceResult.scored(request, row, micros)));
                            } else {
                                metrics.failed();
                                resultFuture.complete(
                                        Collections.singleton(
                                                InferenceResult.failed(
                                                        request,
                                                        DeadLetterReason.INFERENCE_FAILED.name(),
                                                        unwrap(error),
                                                        micros)));
                            }
                        });
    }

    @Override
    public void timeout(InferenceRequest request, ResultFuture<InferenceResult> resultFuture) {
        if (!pending.remove(request)) {
            return; // answered in the meantime
        }
        metrics.timedOut(settings.timeoutPolicy());
        String reason = DeadLetterReason.INFERENCE_TIMEOUT.name();
        InferenceResult result =
                switch (settings.timeoutPolicy()) {
                    case FALLBACK ->
                            InferenceResult.fallback(request, reason, settings.fallbackScore(), 0);
                    case DEAD_LETTER ->
                            InferenceResult.failed(
                                    request,
                                    reason,
                                    new TimeoutException("inference did not finish in time"),
                                    0);
                };
        resultFuture.complete(Collections.singleton(result));
    }

    @Override
    public void close() {
        if (lease != null) {
            lease.close();
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }
}
