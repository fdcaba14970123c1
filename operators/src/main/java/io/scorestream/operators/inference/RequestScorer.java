package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.routing.Cascade;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes one request along its path: the routed model version (from the result cache when it holds
 * the exact input), then, when that score is in the cascade's uncertain band, the large model; when
 * the routed model gives no answer (timeout, error, open circuit, unavailable), the fallback model;
 * when that has none either, the default score or a dead letter, as configured. Every call is
 * recorded on the result's path.
 *
 * <p>Only the routed model's call may block (a full queue back-pressures the stream through the
 * mailbox thread); the later calls run on model worker threads and never wait for room, so models
 * that fall back on each other cannot deadlock.
 */
final class RequestScorer {

    /** One model call's result: scores when {@link StepOutcome#answered()}, else why not. */
    private record Call(
            ModelInput version,
            StepOutcome outcome,
            float[] scores,
            ScoredRow row,
            Throwable error) {

        static Call answered(
                ModelInput version, StepOutcome outcome, float[] scores, ScoredRow row) {
            return new Call(version, outcome, scores, row, null);
        }

        static Call noAnswer(ModelInput version, StepOutcome outcome, Throwable error) {
            return new Call(version, outcome, null, null, error);
        }
    }

    private final ModelEndpoints endpoints;
    private final Cascade cascade;
    private final InferenceSettings settings;

    RequestScorer(ModelEndpoints endpoints, Cascade cascade, InferenceSettings settings) {
        this.endpoints = endpoints;
        this.cascade = cascade;
        this.settings = settings;
    }

    /**
     * Scores {@code request}, adding each call to {@code path} as it ends.
     *
     * @param path a thread-safe list; the caller may read it before the future completes
     */
    CompletableFuture<InferenceResult> score(
            InferenceRequest request, List<PathStep> path, long startedNanos)
            throws InterruptedException {
        return call(request.primary, true)
                .thenCompose(
                        routed -> {
                            if (routed.outcome().answered()) {
                                return escalateIfUncertain(request, routed, path, startedNanos);
                            }
                            path.add(new PathStep(routed.version(), routed.outcome()));
                            return fallBack(request, routed, path, startedNanos);
                        })
                .thenApply(result -> result.withPath(List.copyOf(path)));
    }

    private CompletableFuture<InferenceResult> escalateIfUncertain(
            InferenceRequest request, Call small, List<PathStep> path, long startedNanos) {
        if (request.escalation == null
                || cascade == null
                || !cascade.escalates(small.scores()[0])) {
            path.add(new PathStep(small.version(), small.outcome()));
            return CompletableFuture.completedFuture(scored(request, small, startedNanos));
        }
        path.add(new PathStep(small.version(), StepOutcome.ESCALATED));
        return callWithoutBlocking(request.escalation)
                .thenApply(
                        large -> {
                            path.add(new PathStep(large.version(), large.outcome()));
                            if (large.outcome().answered()) {
                                return scored(request, large, startedNanos);
                            }
                            // The small model's score stands, flagged: the large one had none.
                            return scored(request, small, startedNanos)
                                    .standingInBecause(reasonOf(large).name());
                        });
    }

    private CompletableFuture<InferenceResult> fallBack(
            InferenceRequest request, Call routed, List<PathStep> path, long startedNanos) {
        if (request.fallback == null) {
            return CompletableFuture.completedFuture(noScore(request, routed, startedNanos));
        }
        return callWithoutBlocking(request.fallback)
                .thenApply(
                        fallback -> {
                            path.add(new PathStep(fallback.version(), fallback.outcome()));
                            if (fallback.outcome().answered()) {
                                return scored(request, fallback, startedNanos)
                                        .standingInBecause(reasonOf(routed).name());
                            }
                            return noScore(request, routed, startedNanos);
                        });
    }

    private CompletableFuture<Call> callWithoutBlocking(ModelInput version) {
        try {
            return call(version, false);
        } catch (InterruptedException cannotHappen) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("a non-blocking call was interrupted", cannotHappen);
        }
    }

    /** Calls one model version: cache, breaker, queue, with the model timeout if one is set. */
    private CompletableFuture<Call> call(ModelInput version, boolean mayBlock)
            throws InterruptedException {
        ModelEndpoints.Endpoint endpoint = endpoints.endpoint(version);
        InferenceService service = endpoint.service();
        InferenceMetrics metrics = endpoint.metrics();
        if (service == null) {
            return skipped(version, metrics, StepOutcome.UNAVAILABLE, "could not be loaded");
        }
        ResultCache cache = service.cache();
        if (cache != null) {
            float[] cached = cache.get(version.row);
            if (cached != null) {
                metrics.cacheHit();
                return CompletableFuture.completedFuture(
                        Call.answered(version, StepOutcome.CACHED, cached, null));
            }
        }
        CircuitBreaker breaker = service.breaker();
        if (!breaker.allowsCall()) {
            return skipped(version, metrics, StepOutcome.CIRCUIT_OPEN, "circuit breaker is open");
        }
        CompletableFuture<ScoredRow> answer;
        try {
            answer = mayBlock ? service.submit(version.row) : service.trySubmit(version.row);
        } catch (RejectedExecutionException closed) {
            return skipped(version, metrics, StepOutcome.UNAVAILABLE, "is shutting down");
        }
        if (answer == null) {
            return skipped(version, metrics, StepOutcome.UNAVAILABLE, "has a full queue");
        }
        metrics.requested();
        if (!settings.modelTimeout().isZero()) {
            answer = answer.orTimeout(settings.modelTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        return answer.handle(
                (row, error) -> {
                    if (error == null) {
                        metrics.scored(row);
                        breaker.recordSuccess();
                        if (cache != null) {
                            cache.put(version.row, row.scores());
                        }
                        return Call.answered(version, StepOutcome.SCORED, row.scores(), row);
                    }
                    breaker.recordFailure();
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException) {
                        metrics.timedOut();
                        return Call.noAnswer(version, StepOutcome.TIMEOUT, cause);
                    }
                    metrics.failed();
                    return Call.noAnswer(version, StepOutcome.FAILED, cause);
                });
    }

    private static CompletableFuture<Call> skipped(
            ModelInput version, InferenceMetrics metrics, StepOutcome why, String what) {
        metrics.skipped(why);
        return CompletableFuture.completedFuture(
                Call.noAnswer(
                        version,
                        why,
                        new ModelUnavailableException("model " + version.label() + " " + what)));
    }

    private static InferenceResult scored(InferenceRequest request, Call call, long startedNanos) {
        return InferenceResult.scored(
                request, call.version(), call.scores(), call.row(), micros(startedNanos));
    }

    /** No model answered: the default score or a dead letter, by the routed model's outcome. */
    private InferenceResult noScore(InferenceRequest request, Call routed, long startedNanos) {
        DeadLetterReason reason = reasonOf(routed);
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

    private static DeadLetterReason reasonOf(Call call) {
        return switch (call.outcome()) {
            case TIMEOUT -> DeadLetterReason.INFERENCE_TIMEOUT;
            case FAILED -> DeadLetterReason.INFERENCE_FAILED;
            case CIRCUIT_OPEN -> DeadLetterReason.CIRCUIT_OPEN;
            case UNAVAILABLE -> DeadLetterReason.MODEL_UNAVAILABLE;
            case SCORED, CACHED, ESCALATED ->
                    throw new IllegalArgumentException("the call answered: " + call.outcome());
        };
    }

    private static long micros(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }
}
