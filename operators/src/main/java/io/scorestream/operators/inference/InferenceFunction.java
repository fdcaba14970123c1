package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.registry.GpuAssignment;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Scores each request with the TaskManager's shared {@link InferenceService}s, along the request's
 * path (see {@link RequestScorer}): routed model, cascade, fallback model, default score or dead
 * letter. Every path completes the result future, so a slow, failing or missing model degrades
 * records, never the job.
 *
 * <p>Use with {@code AsyncDataStream.unorderedWait}: Flink checkpoints the in-flight requests and
 * re-sends them after a restore, so none is lost.
 */
public class InferenceFunction extends RichAsyncFunction<InferenceRequest, InferenceResult> {
    private static final long serialVersionUID = 1L;

    private final ServingPlan plan;
    private final InferenceSettings settings;

    /** How often versions unused for {@code scorestream.model.idle-unload} are released. */
    private static final long IDLE_CHECK_NANOS = 10_000_000_000L;

    private transient Clock clock;
    private transient ModelResidency residency;
    private transient long lastIdleCheckNanos;
    private transient ModelEndpoints endpoints;
    private transient RequestScorer scorer;
    private transient Counter escalations;
    private transient Counter fallbackModelScores;
    private transient Counter defaultScores;

    /**
     * Requests not yet ended, with the calls made so far; a model answer arriving after the timeout
     * finds its request gone.
     */
    private transient Map<InferenceRequest, List<PathStep>> pending;

    public InferenceFunction(ServingPlan plan, InferenceSettings settings) {
        this.plan = plan;
        this.settings = settings;
    }

    /** Serves one model version, without routing, cascade or fallback model. */
    public InferenceFunction(ModelTarget target, InferenceSettings settings) {
        this(ServingPlan.single(target), settings);
    }

    @Override
    public void open(OpenContext openContext) {
        var metricGroup = getRuntimeContext().getMetricGroup();
        clock = Clock.system();
        residency =
                new ModelResidency(
                        settings.registry().maxResident(),
                        settings.registry().idleUnload(),
                        clock,
                        new InferenceServiceFactory(
                                settings,
                                GpuAssignment.fromRuntimeContext(getRuntimeContext()),
                                clock));
        lastIdleCheckNanos = clock.nanoTime();
        endpoints = new ModelEndpoints(this::serviceFor, metricGroup, clock);
        // Load the plan's versions now rather than on the first events; a version that fails here
        // is retried later, and its events take the fallback chain meanwhile.
        for (ModelTarget target : plan.targets().values()) {
            endpoints.endpoint(new ModelInput(target.name(), target.version(), null));
        }
        scorer = new RequestScorer(endpoints, plan.cascade(), settings);
        escalations = metricGroup.counter("escalations");
        fallbackModelScores = metricGroup.counter("fallbackModelScores");
        defaultScores = metricGroup.counter("defaultScores");
        pending = new ConcurrentHashMap<>();
    }

    private InferenceService serviceFor(ModelInput version) {
        long now = clock.nanoTime();
        if (now - lastIdleCheckNanos > IDLE_CHECK_NANOS) {
            lastIdleCheckNanos = now;
            residency.releaseIdle();
        }
        return residency.serviceFor(
                new InferenceServices.Key(
                        settings.modelRepository(),
                        version.model,
                        version.version,
                        settings.device()));
    }

    @Override
    public void asyncInvoke(InferenceRequest request, ResultFuture<InferenceResult> resultFuture)
            throws Exception {
        List<PathStep> path = Collections.synchronizedList(new ArrayList<>(2));
        pending.put(request, path);
        scorer.score(request, path, System.nanoTime())
                .whenComplete(
                        (result, error) -> {
                            if (pending.remove(request) == null) {
                                return; // timed out already; Flink has its answer
                            }
                            if (error != null) {
                                resultFuture.completeExceptionally(error);
                                return;
                            }
                            count(result);
                            resultFuture.complete(Collections.singleton(result));
                        });
    }

    private void count(InferenceResult result) {
        for (PathStep step : result.path) {
            if (step.outcome == StepOutcome.ESCALATED) {
                escalations.inc();
            }
        }
        if (result.outcome == InferenceResult.Outcome.FALLBACK) {
            defaultScores.inc();
        } else if (result.isFallback()) {
            fallbackModelScores.inc();
        }
    }

    @Override
    public void timeout(InferenceRequest request, ResultFuture<InferenceResult> resultFuture) {
        List<PathStep> path = pending.remove(request);
        if (path == null) {
            return; // answered in the meantime
        }
        String reason = DeadLetterReason.INFERENCE_TIMEOUT.name();
        InferenceResult result =
                switch (settings.timeoutPolicy()) {
                    case FALLBACK -> {
                        defaultScores.inc();
                        yield InferenceResult.fallback(
                                request, reason, settings.fallbackScore(), 0);
                    }
                    case DEAD_LETTER ->
                            InferenceResult.failed(
                                    request,
                                    reason,
                                    new TimeoutException("inference did not finish in time"),
                                    0);
                };
        synchronized (path) {
            result.withPath(path);
        }
        resultFuture.complete(Collections.singleton(result));
    }

    @Override
    public void close() {
        if (residency != null) {
            residency.close();
        }
    }
}
