package io.scorestream.operators.inference;

import java.util.List;

/**
 * What the inference operator made of a request: scores (from the routed model, the cascade's large
 * model, a fallback model or the cache), a default-score fallback, or a failure to be
 * dead-lettered. A Flink POJO.
 */
public class InferenceResult {

    /** How the request ended. */
    public enum Outcome {
        SCORED,
        FALLBACK,
        FAILED
    }

    public InferenceRequest request;
    public Outcome outcome;
    public float[] scores;

    /** The model version whose scores these are; the routed one for default scores and failures. */
    public String modelName;

    public String modelVersion;

    /** Every model call made for the request, in order. */
    public PathStep[] path = new PathStep[0];

    /** The scores came from the result cache. */
    public boolean cached;

    public long queueWaitMicros;
    public long computeMicros;
    public long inferenceMicros;
    public int batchSize;

    /**
     * For FALLBACK and FAILED, and for scores of a fallback model: why, as a dead-letter reason
     * name, e.g. INFERENCE_TIMEOUT.
     */
    public String reason;

    public String errorClass;
    public String message;

    public InferenceResult() {}

    /** Scores of {@code by}; {@code row} is null when they came from the cache. */
    public static InferenceResult scored(
            InferenceRequest request,
            ModelInput by,
            float[] scores,
            ScoredRow row,
            long inferenceMicros) {
        InferenceResult result = of(request, Outcome.SCORED, inferenceMicros);
        result.modelName = by.model;
        result.modelVersion = by.version;
        result.scores = scores;
        result.cached = row == null;
        if (row != null) {
            result.queueWaitMicros = row.queueWaitNanos() / 1_000;
            result.computeMicros = row.computeNanos() / 1_000;
            result.batchSize = row.batchSize();
        }
        return result;
    }

    /** Scores of the routed model version. */
    public static InferenceResult scored(
            InferenceRequest request, ScoredRow row, long inferenceMicros) {
        return scored(request, request.primary, row.scores(), row, inferenceMicros);
    }

    /** The default score, because of {@code reason}: no model answered. */
    public static InferenceResult fallback(
            InferenceRequest request, String reason, float score, long inferenceMicros) {
        InferenceResult result = of(request, Outcome.FALLBACK, inferenceMicros);
        result.scores = new float[] {score};
        result.reason = reason;
        return result;
    }

    public static InferenceResult failed(
            InferenceRequest request, String reason, Throwable error, long inferenceMicros) {
        InferenceResult result = of(request, Outcome.FAILED, inferenceMicros);
        result.reason = reason;
        result.errorClass = error.getClass().getName();
        result.message = error.getMessage() == null ? error.toString() : error.getMessage();
        return result;
    }

    /** Marks scores as a stand-in (a fallback model's), given because of {@code why}. */
    public InferenceResult standingInBecause(String why) {
        reason = why;
        return this;
    }

    public InferenceResult withPath(List<PathStep> steps) {
        path = steps.toArray(new PathStep[0]);
        return this;
    }

    /** Whether the scores are not the routed model's own answer (fallback model or default). */
    public boolean isFallback() {
        return outcome == Outcome.FALLBACK || (outcome == Outcome.SCORED && reason != null);
    }

    private static InferenceResult of(
            InferenceRequest request, Outcome outcome, long inferenceMicros) {
        InferenceResult result = new InferenceResult();
        result.request = request;
        result.outcome = outcome;
        result.modelName = request.primary == null ? null : request.primary.model;
        result.modelVersion = request.primary == null ? null : request.primary.version;
        result.inferenceMicros = inferenceMicros;
        return result;
    }
}
