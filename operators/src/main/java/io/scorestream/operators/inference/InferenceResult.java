package io.scorestream.operators.inference;

/**
 * What the async inference operator made of a request: scores, a fallback, or a failure to be
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
    public long queueWaitMicros;
    public long computeMicros;
    public long inferenceMicros;
    public int batchSize;

    /** For FALLBACK and FAILED: a dead-letter reason name, e.g. INFERENCE_TIMEOUT. */
    public String reason;

    public String errorClass;
    public String message;

    public InferenceResult() {}

    public static InferenceResult scored(
            InferenceRequest request, ScoredRow row, long inferenceMicros) {
        InferenceResult result = new InferenceResult();
        result.request = request;
        result.outcome = Outcome.SCORED;
        result.scores = row.scores();
        result.queueWaitMicros = row.queueWaitNanos() / 1_000;
        result.computeMicros = row.computeNanos() / 1_000;
        result.batchSize = row.batchSize();
        result.inferenceMicros = inferenceMicros;
        return result;
    }

    public static InferenceResult fallback(
            InferenceRequest request, String reason, float score, long inferenceMicros) {
        InferenceResult result = new InferenceResult();
        result.request = request;
        result.outcome = Outcome.FALLBACK;
        result.scores = new float[] {score};
        result.reason = reason;
        result.inferenceMicros = inferenceMicros;
        return result;
    }

    public static InferenceResult failed(
            InferenceRequest request, String reason, Throwable error, long inferenceMicros) {
        InferenceResult result = new InferenceResult();
        result.request = request;
        result.outcome = Outcome.FAILED;
        result.reason = reason;
        result.errorClass = error.getClass().getName();
        result.message = error.getMessage() == null ? error.toString() : error.getMessage();
        result.inferenceMicros = inferenceMicros;
        return result;
    }
}
