package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.routing.Cascade;
import io.scorestream.operators.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Takes one request along its path: the routed model version (from the result cache when it holds
 * the exact input), then, when that score is in the cascade's uncertain band, the large model; when
 * the routed model gives no answer (timeout, error, open circuit, unavailable), the fallback model;
 * when that has none either, the default score or a dead letter, as configured. Every call is
 * recorded on the result's path.
 *
 * <p>Only the routed model's call may block (a full queue back-pressures the stream through the
 * mailbox thread). The later calls are made from a model's answer and never wait for room: on a
 * worker thread (when answers are completed there), two models that fall back on each other could
 * deadlock; on the mailbox thread, answers would stop being handled meanwhile.
 *
 * <p>The path runs as callbacks, one stage per model call, on the executor the scorer hands the
 * models' answers to (the inference operator's mailbox thread): chaining futures per row cost as
 * much CPU as a small model, and none of it should fall on the model's own threads.
 *
 * <p>Each call carries a deadline: the request's own (when the async operator gives up on it) or,
 * sooner, the model timeout. A row whose deadline passed before a worker took it is dropped
 * unscored ({@link CallerTimedOutException}), and a call whose deadline passed before it was made
 * is not made; both are counted as shed rows and end as timeouts. The breaker counts model failures
 * and model timeouts, not input failures ({@link InputFailureException}) nor shed rows.
 *
 * <p>A call to a version that is still loading waits for the load without holding the calling
 * thread: it goes on from the answers executor once the version is ready (or unavailable, if its
 * load failed), within the model timeout if one is set.
 */
final class RequestScorer {

    /** Where a request's result goes, exactly once; an error means a bug in this class. */
    @FunctionalInterface
    interface Done {
        void ended(InferenceResult result, Throwable error);
    }

    /** What to do with a call's outcome. */
    @FunctionalInterface
    private interface Then {
        void accept(ModelCall call);
    }

    private final ModelEndpoints endpoints;
    private final Cascade cascade;
    private final InferenceSettings settings;
    private final Executor answers;
    private final Clock clock;
    private final long modelTimeoutNanos;

    /**
     * @param answers where model answers are completed and the path goes on from; a model timeout
     *     ends its call on a timer thread instead
     * @param clock the clock of the services' deadlines
     */
    RequestScorer(
            ModelEndpoints endpoints,
            Cascade cascade,
            InferenceSettings settings,
            Executor answers,
            Clock clock) {
        this.endpoints = endpoints;
        this.cascade = cascade;
        this.settings = settings;
        this.answers = answers;
        this.clock = clock;
        this.modelTimeoutNanos = settings.modelTimeout().toNanos();
    }

    /**
     * Scores {@code request}, adding each call to {@code path} as it ends, and hands the result to
     * {@code done}, possibly before this method returns (a cache hit, an open breaker).
     *
     * @param path a thread-safe list; the caller may read it before {@code done} is called
     * @param deadlineNanos when, on the scorer's clock, nobody waits for the result any more;
     *     {@link InferenceService#NO_DEADLINE}: the caller waits as long as it takes
     */
    void score(
            InferenceRequest request,
            List<PathStep> path,
            long startedNanos,
            long deadlineNanos,
            Done done)
            throws InterruptedException {
        call(
                request.primary,
                true,
                deadlineNanos,
                routed -> {
                    if (routed.outcome().answered()) {
                        escalateIfUncertain(
                                request, routed, path, startedNanos, deadlineNanos, done);
                    } else {
                        path.add(new PathStep(routed.version(), routed.outcome()));
                        fallBack(request, routed, path, startedNanos, deadlineNanos, done);
                    }
                },
                done);
    }

    private void escalateIfUncertain(
            InferenceRequest request,
            ModelCall small,
            List<PathStep> path,
            long startedNanos,
            long deadlineNanos,
            Done done) {
        if (request.escalation == null
                || cascade == null
                || !cascade.escalates(small.scores()[0])) {
            path.add(new PathStep(small.version(), small.outcome()));
            finish(scored(request, small, startedNanos), path, done);
            return;
        }
        path.add(new PathStep(small.version(), StepOutcome.ESCALATED));
        callThenFinish(
                request.escalation,
                deadlineNanos,
                path,
                done,
                large ->
                        large.outcome().answered()
                                ? scored(request, large, startedNanos)
                                // The small model's score stands, flagged: the large one had none.
                                : scored(request, small, startedNanos)
                                        .standingInBecause(large.reason().name()));
    }

    private void fallBack(
            InferenceRequest request,
            ModelCall routed,
            List<PathStep> path,
            long startedNanos,
            long deadlineNanos,
            Done done) {
        if (request.fallback == null) {
            finish(noScore(request, routed, startedNanos), path, done);
            return;
        }
        callThenFinish(
                request.fallback,
                deadlineNanos,
                path,
                done,
                fallback ->
                        fallback.outcome().answered()
                                ? scored(request, fallback, startedNanos)
                                        .standingInBecause(routed.reason().name())
                                : noScore(request, routed, startedNanos));
    }

    private static void finish(InferenceResult result, List<PathStep> path, Done done) {
        done.ended(result.withPath(List.copyOf(path)), null);
    }

    /**
     * Calls {@code version} as the request's last step: records the call on the path and finishes
     * with the result {@code resultOf} makes of it.
     */
    private void callThenFinish(
            ModelInput version,
            long deadlineNanos,
            List<PathStep> path,
            Done done,
            Function<ModelCall, InferenceResult> resultOf) {
        callWithoutBlocking(
                version,
                deadlineNanos,
                call -> {
                    path.add(new PathStep(call.version(), call.outcome()));
                    finish(resultOf.apply(call), path, done);
                },
                done);
    }

    private void callWithoutBlocking(ModelInput version, long deadlineNanos, Then then, Done done) {
        try {
            call(version, false, deadlineNanos, then, done);
        } catch (InterruptedException cannotHappen) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("a non-blocking call was interrupted", cannotHappen);
        }
    }

    /**
     * Calls one model version: deadline, cache, breaker, queue, with the model timeout if one is
     * set. {@code then} runs on the thread that ends the call; if it throws, {@code done} gets the
     * error.
     */
    private void call(
            ModelInput version, boolean mayBlock, long deadlineNanos, Then then, Done done)
            throws InterruptedException {
        ModelEndpoints.Endpoint endpoint = endpoints.endpoint(version);
        InferenceMetrics metrics = endpoint.metrics();
        long now = clock.nanoTime();
        if (deadlineNanos != InferenceService.NO_DEADLINE && now - deadlineNanos >= 0) {
            metrics.shedBeforeCall();
            then.accept(
                    ModelCall.noAnswer(
                            version,
                            StepOutcome.TIMEOUT,
                            new CallerTimedOutException(version.label())));
            return;
        }
        if (endpoint.loading() != null) {
            callOnceLoaded(version, endpoint, mayBlock, deadlineNanos, then, done);
            return;
        }
        InferenceService service = endpoint.service();
        if (service == null) {
            then.accept(
                    ModelCall.skipped(
                            version, metrics, StepOutcome.UNAVAILABLE, "could not be loaded"));
            return;
        }
        ResultCache cache = service.cache();
        if (cache != null) {
            float[] cached = cache.get(version.row);
            if (cached != null) {
                metrics.cacheHit();
                then.accept(ModelCall.answered(version, StepOutcome.CACHED, cached, null));
                return;
            }
        }
        CircuitBreaker breaker = service.breaker();
        if (!breaker.allowsCall()) {
            then.accept(
                    ModelCall.skipped(
                            version, metrics, StepOutcome.CIRCUIT_OPEN, "circuit breaker is open"));
            return;
        }
        long callDeadline =
                modelTimeoutNanos == 0
                        ? deadlineNanos
                        : Math.min(deadlineNanos, now + modelTimeoutNanos);
        CompletableFuture<ScoredRow> answer;
        try {
            answer =
                    mayBlock
                            ? service.submit(
                                    version.row, answers, callDeadline, metrics.shedCounter())
                            : service.trySubmit(
                                    version.row, answers, callDeadline, metrics.shedCounter());
        } catch (RejectedExecutionException closed) {
            then.accept(
                    ModelCall.skipped(
                            version, metrics, StepOutcome.UNAVAILABLE, "is shutting down"));
            return;
        }
        if (answer == null) {
            then.accept(
                    ModelCall.skipped(
                            version, metrics, StepOutcome.UNAVAILABLE, "has a full queue"));
            return;
        }
        metrics.requested();
        if (modelTimeoutNanos != 0) {
            answer = answer.orTimeout(modelTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        answer.whenComplete(
                (row, error) -> {
                    try {
                        then.accept(ModelCall.ended(version, metrics, breaker, cache, row, error));
                    } catch (RuntimeException bug) {
                        done.ended(null, bug);
                    }
                });
    }

    /**
     * Makes the call once {@code endpoint}'s version has loaded (or failed to: the call finds it
     * unavailable), from the answers executor; if the model timeout passes first, the call ends as
     * a timeout.
     */
    private void callOnceLoaded(
            ModelInput version,
            ModelEndpoints.Endpoint endpoint,
            boolean mayBlock,
            long deadlineNanos,
            Then then,
            Done done) {
        endpoint.metrics().waitsForLoad();
        CompletableFuture<InferenceService> loaded = endpoint.loading();
        if (modelTimeoutNanos != 0) {
            loaded = loaded.copy().orTimeout(modelTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        // The dependent only hands the call to the answers executor: it runs on the thread that
        // ends the wait (the loader's, which other waiters share, or the model timeout's).
        loaded.whenComplete(
                (service, error) -> {
                    Runnable goOn =
                            () -> {
                                try {
                                    if (error != null && !endpoint.loading().isDone()) {
                                        then.accept(
                                                ModelCall.skipped(
                                                        version,
                                                        endpoint.metrics(),
                                                        StepOutcome.TIMEOUT,
                                                        "did not load within the model timeout"));
                                    } else {
                                        call(version, mayBlock, deadlineNanos, then, done);
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    done.ended(null, e);
                                } catch (RuntimeException bug) {
                                    done.ended(null, bug);
                                }
                            };
                    try {
                        answers.execute(goOn);
                    } catch (RejectedExecutionException callerClosed) {
                        // The operator is gone; its in-flight requests are replayed after a
                        // restore.
                    }
                });
    }

    private static InferenceResult scored(
            InferenceRequest request, ModelCall call, long startedNanos) {
        return InferenceResult.scored(
                request, call.version(), call.scores(), call.row(), micros(startedNanos));
    }

    /** No model answered: the default score or a dead letter, by the routed model's outcome. */
    private InferenceResult noScore(InferenceRequest request, ModelCall routed, long startedNanos) {
        DeadLetterReason reason = routed.reason();
        boolean useDefault =
                routed.outcome() == StepOutcome.FAILED
                        ? settings.failurePolicy() == FailurePolicy.FALLBACK
                        : settings.timeoutPolicy() == TimeoutPolicy.FALLBACK;
        return useDefault
                ? InferenceResult.fallback(
                        request, reason.name(), settings.fallbackScore(), micros(startedNanos))
                : InferenceResult.failed(
                        request, reason.name(), routed.error(), micros(startedNanos));
    }

    private static long micros(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000;
    }
}
