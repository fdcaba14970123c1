package io.scorestream.operators.inference;

import io.scorestream.operators.deadletter.DeadLetterReason;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * One model call on a request's path, as {@link RequestScorer} sees it ended: scores when {@link
 * StepOutcome#answered()}, else why not, with the error to report.
 */
record ModelCall(
        ModelInput version, StepOutcome outcome, float[] scores, ScoredRow row, Throwable error) {

    static ModelCall answered(
            ModelInput version, StepOutcome outcome, float[] scores, ScoredRow row) {
        return new ModelCall(version, outcome, scores, row, null);
    }

    static ModelCall noAnswer(ModelInput version, StepOutcome outcome, Throwable error) {
        return new ModelCall(version, outcome, null, null, error);
    }

    /** A call not made, for {@code why} ({@code what} says it), counted in {@code metrics}. */
    static ModelCall skipped(
            ModelInput version, InferenceMetrics metrics, StepOutcome why, String what) {
        metrics.skipped(why);
        return noAnswer(
                version,
                why,
                new ModelUnavailableException("model " + version.label() + " " + what));
    }

    /**
     * A call that reached the model's queue and ended with {@code row} or {@code error}: counted in
     * {@code metrics}, told to the breaker when it says something of the model (an answer, a model
     * failure, a model timeout; not an input failure nor a row dropped because its caller timed
     * out), and an answer cached.
     */
    static ModelCall ended(
            ModelInput version,
            InferenceMetrics metrics,
            CircuitBreaker breaker,
            ResultCache cache,
            ScoredRow row,
            Throwable error) {
        if (error == null) {
            metrics.scored(row);
            breaker.recordSuccess();
            if (cache != null) {
                cache.put(version.row, row.scores());
            }
            return answered(version, StepOutcome.SCORED, row.scores(), row);
        }
        Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
        if (cause instanceof CallerTimedOutException) {
            // Dropped before the model saw it: a timeout of its caller's bundle is no model
            // timeout.
            metrics.timedOut();
            return noAnswer(version, StepOutcome.TIMEOUT, cause);
        }
        if (cause instanceof TimeoutException) {
            breaker.recordFailure();
            metrics.timedOut();
            return noAnswer(version, StepOutcome.TIMEOUT, cause);
        }
        if (InputFailureException.isInputFailure(cause)) {
            metrics.inputFailed();
            return noAnswer(version, StepOutcome.FAILED, InputFailureException.reported(cause));
        }
        breaker.recordFailure();
        metrics.failed();
        return noAnswer(version, StepOutcome.FAILED, cause);
    }

    /** Why a call that did not answer did not, as a dead-letter reason. */
    DeadLetterReason reason() {
        return switch (outcome) {
            case TIMEOUT -> DeadLetterReason.INFERENCE_TIMEOUT;
            case FAILED -> DeadLetterReason.INFERENCE_FAILED;
            case CIRCUIT_OPEN -> DeadLetterReason.CIRCUIT_OPEN;
            case UNAVAILABLE -> DeadLetterReason.MODEL_UNAVAILABLE;
            case SCORED, CACHED, ESCALATED ->
                    throw new IllegalArgumentException("the call answered: " + outcome);
        };
    }
}
