package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.registry.GpuAssignment;
import io.scorestream.operators.registry.RegistrySettings;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores each request of a {@link RequestBundle} with the TaskManager's shared {@link
 * InferenceService}s, along the request's path (see {@link RequestScorer}): routed model, cascade,
 * fallback model, default score or dead letter. Every path completes, so a slow, failing or missing
 * model degrades records, never the job. The bundle's results are handed back together, when its
 * last request ends; on the async timeout, its unanswered requests get the timeout policy's result
 * and the answered ones keep theirs.
 *
 * <p>Run it with an {@link InferenceOperatorFactory} behind a {@link RequestBundler}: Flink
 * checkpoints the in-flight bundles and re-sends them after a restore, so no request is lost, and
 * the factory has the models' answers handled on the operator's mailbox thread. Under a plain async
 * operator, they are handled on the model's worker threads.
 */
public class InferenceFunction extends RichAsyncFunction<RequestBundle, InferenceResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceFunction.class);

    private final ServingPlan plan;
    private final InferenceSettings settings;

    /**
     * The async operator's timeout of a bundle, when known: after it nobody waits for the bundle's
     * requests, and the services drop those still queued. Zero: unknown (the requests are scored
     * whenever their turn comes).
     */
    private long bundleTimeoutNanos;

    /** How often versions unused for {@code scorestream.model.idle-unload} are released. */
    private static final long IDLE_CHECK_NANOS = 10_000_000_000L;

    /** How long {@link #open} waits for the plan's versions to load. */
    private static final Duration PLAN_LOAD_WAIT = Duration.ofMinutes(2);

    /** How long the operator calls a running version before asking its residency again. */
    private static final Duration MAX_ENDPOINT_REUSE = Duration.ofSeconds(1);

    /** Where model answers are handled; see {@link #handleAnswersOn}. */
    private transient Executor answers;

    /** The time of batching, idleness and deadlines; the system's unless a test set one. */
    private transient Clock clock;

    private transient ModelResidency residency;
    private transient long lastIdleCheckNanos;
    private transient ModelEndpoints endpoints;
    private transient RequestScorer scorer;
    private transient Counter escalations;
    private transient Counter fallbackModelScores;
    private transient Counter defaultScores;

    /**
     * Bundles not yet answered in full (by identity); a model answer arriving after the bundle
     * timed out finds it gone.
     */
    private transient Map<RequestBundle, InFlight> inFlight;

    public InferenceFunction(ServingPlan plan, InferenceSettings settings) {
        this.plan = plan;
        this.settings = settings;
    }

    /** Serves one model version, without routing, cascade or fallback model. */
    public InferenceFunction(ModelTarget target, InferenceSettings settings) {
        this(ServingPlan.single(target), settings);
    }

    /**
     * Has the models' answers, and each request's path after them, handled on {@code executor}
     * instead of the model's worker threads. Call before {@link #open}.
     */
    void handleAnswersOn(Executor executor) {
        this.answers = executor;
    }

    /**
     * Tells the function the async operator's timeout of a bundle, so that the services drop the
     * requests of a bundle that timed out instead of scoring them. Call before {@link #open}.
     */
    void bundleTimeout(Duration timeout) {
        this.bundleTimeoutNanos = timeout.toNanos();
    }

    /** Runs batching, idle unloading and deadlines on {@code testClock}. Call before open. */
    InferenceFunction withClock(Clock testClock) {
        this.clock = testClock;
        return this;
    }

    @Override
    public void open(OpenContext openContext) throws InterruptedException {
        var metricGroup = getRuntimeContext().getMetricGroup();
        if (clock == null) {
            clock = Clock.system();
        }
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
        endpoints =
                new ModelEndpoints(
                        this::serviceFor, metricGroup, clock, endpointReuse(settings.registry()));
        loadPlanVersions();
        scorer =
                new RequestScorer(
                        endpoints,
                        plan.cascade(),
                        settings,
                        answers != null ? answers : Runnable::run,
                        clock);
        escalations = metricGroup.counter("escalations");
        fallbackModelScores = metricGroup.counter("fallbackModelScores");
        defaultScores = metricGroup.counter("defaultScores");
        inFlight = new ConcurrentHashMap<>();
    }

    /**
     * Loads the plan's versions now rather than on the first events, and waits for them (at most
     * {@link #PLAN_LOAD_WAIT}), so that the task runs with its models loaded. The loads run on
     * loader threads, side by side, holding no lock other subtasks need. A version that fails to
     * load is retried later, its events taking the fallback chain meanwhile; one still loading
     * after the wait is waited for by its requests.
     */
    private void loadPlanVersions() throws InterruptedException {
        List<CompletableFuture<InferenceService>> loading = new ArrayList<>();
        for (ModelTarget target : plan.targets().values()) {
            ModelEndpoints.Endpoint endpoint = endpoints.endpoint(planned(target));
            if (endpoint.loading() != null) {
                loading.add(endpoint.loading());
            }
        }
        try {
            CompletableFuture.allOf(loading.toArray(new CompletableFuture<?>[0]))
                    .get(PLAN_LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            // Logged below, as the endpoints find the version unavailable.
        } catch (TimeoutException slow) {
            LOG.warn(
                    "the models of {} are still loading after {}; their first events wait for them",
                    plan.targets().values(),
                    PLAN_LOAD_WAIT);
        }
        for (ModelTarget target : plan.targets().values()) {
            endpoints.endpoint(planned(target));
        }
    }

    private static ModelInput planned(ModelTarget target) {
        return new ModelInput(target.name(), target.version(), null);
    }

    /** Well inside the idle unload, so a version in use never looks idle. */
    private static Duration endpointReuse(RegistrySettings registry) {
        Duration half = registry.idleUnload().dividedBy(2);
        return half.compareTo(MAX_ENDPOINT_REUSE) < 0 ? half : MAX_ENDPOINT_REUSE;
    }

    private CompletableFuture<InferenceService> serviceFor(ModelInput version) {
        long now = clock.nanoTime();
        if (now - lastIdleCheckNanos > IDLE_CHECK_NANOS) {
            lastIdleCheckNanos = now;
            residency.releaseIdle();
        }
        return residency.serviceFor(serviceKey(settings, version));
    }

    /** The key of {@code version}'s service in this TaskManager, for {@code settings}. */
    static InferenceServices.Key serviceKey(InferenceSettings settings, ModelInput version) {
        return new InferenceServices.Key(
                settings.modelRepository(),
                version.model,
                version.version,
                settings.device(),
                settings.registry().engine());
    }

    @Override
    public void asyncInvoke(RequestBundle bundle, ResultFuture<InferenceResult> resultFuture)
            throws Exception {
        InFlight flight = new InFlight(bundle, resultFuture);
        inFlight.put(bundle, flight);
        long startedNanos = System.nanoTime();
        long deadlineNanos =
                bundleTimeoutNanos == 0
                        ? InferenceService.NO_DEADLINE
                        : clock.nanoTime() + bundleTimeoutNanos;
        for (int i = 0; i < bundle.requests.length; i++) {
            int index = i;
            scorer.score(
                    bundle.requests[i],
                    flight.paths.get(i),
                    startedNanos,
                    deadlineNanos,
                    (result, error) -> flight.ended(index, result, error));
        }
    }

    @Override
    public void timeout(RequestBundle bundle, ResultFuture<InferenceResult> resultFuture) {
        InFlight flight = inFlight.remove(bundle);
        if (flight != null) {
            flight.timeOut(); // else answered in the meantime
        }
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

    private InferenceResult timedOut(InferenceRequest request, List<PathStep> path) {
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
        synchronized (path) {
            result.withPath(path);
        }
        return result;
    }

    /** One bundle on its way: each request's calls so far and, once it ended, its result. */
    private final class InFlight {
        final RequestBundle bundle;
        final ResultFuture<InferenceResult> resultFuture;
        final List<List<PathStep>> paths;
        final AtomicReferenceArray<InferenceResult> results;
        final AtomicInteger remaining;

        InFlight(RequestBundle bundle, ResultFuture<InferenceResult> resultFuture) {
            this.bundle = bundle;
            this.resultFuture = resultFuture;
            int size = bundle.requests.length;
            this.paths = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                paths.add(Collections.synchronizedList(new ArrayList<>(2)));
            }
            this.results = new AtomicReferenceArray<>(size);
            this.remaining = new AtomicInteger(size);
        }

        /** Request {@code index} ended; the last one hands the bundle's results to Flink. */
        void ended(int index, InferenceResult result, Throwable error) {
            if (error != null) {
                // RequestScorer turns every model problem into a result: this is a bug, so fail.
                if (inFlight.remove(bundle) != null) {
                    resultFuture.completeExceptionally(error);
                }
                return;
            }
            results.set(index, result);
            if (remaining.decrementAndGet() == 0 && inFlight.remove(bundle) != null) {
                hand(results::get);
            }
        }

        /** The async timeout: the requests without a result get the timeout policy's. */
        void timeOut() {
            hand(
                    index -> {
                        InferenceResult answered = results.get(index);
                        return answered != null
                                ? answered
                                : timedOut(bundle.requests[index], paths.get(index));
                    });
        }

        private void hand(IntFunction<InferenceResult> resultOf) {
            List<InferenceResult> all = new ArrayList<>(bundle.requests.length);
            for (int i = 0; i < bundle.requests.length; i++) {
                InferenceResult result = resultOf.apply(i);
                count(result);
                all.add(result);
            }
            resultFuture.complete(all);
        }
    }

    @Override
    public void close() {
        if (residency != null) {
            residency.close();
        }
    }
}
