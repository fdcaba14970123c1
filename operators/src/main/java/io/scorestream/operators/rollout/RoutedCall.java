package io.scorestream.operators.rollout;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.inference.StepOutcome;
import io.scorestream.schemas.ModelStep;
import io.scorestream.schemas.Prediction;
import java.util.List;
import java.util.Optional;

/**
 * What one prediction says about the model version the event was routed to: the first step of its
 * path, whatever answered in the end. A routed version that timed out, failed, had its circuit open
 * or was unavailable made an error, even when a fallback model answered for it; its score and
 * latency are samples only when its answer is the prediction's own (no cascade step after it).
 *
 * @param model the routed model
 * @param version the routed version
 * @param error the routed version gave no answer
 * @param score the routed version's score, or null when the prediction's score is not its answer
 * @param latencyMicros the routed version's inference latency, or null when not measured alone
 *     (cache hits, cascades, errors)
 * @param scoredMillis when the prediction was made: the guard's windows run on it
 *     <p>What the {@link RolloutGuard} receives instead of the whole prediction: a few fields,
 *     cheap to send to the guard's subtask (a Flink POJO).
 */
public record RoutedCall(
        String model,
        String version,
        boolean error,
        Float score,
        Long latencyMicros,
        long scoredMillis) {

    /**
     * The routed call of {@code prediction}; empty when it says nothing about a model version on
     * trial (no rollout was in force, or no model was called).
     */
    public static Optional<RoutedCall> of(Prediction prediction) {
        if (prediction.getRolloutId() == null) {
            // Routed while no rollout was in force: nothing for the guard to compare, and most of
            // the time no rollout is, so most predictions need not cross the network to it.
            return Optional.empty();
        }
        if (overBudget(prediction)) {
            return Optional.empty(); // never reached a model
        }
        List<ModelStep> path = prediction.getPath();
        if (path == null || path.isEmpty()) {
            // No call ended before the default score was given (the async timeout), or a writer
            // without paths: the prediction names the routed version.
            boolean fallback = prediction.getFallback();
            return Optional.of(
                    new RoutedCall(
                            prediction.getModelName(),
                            prediction.getModelVersion(),
                            fallback,
                            fallback ? null : prediction.getScore(),
                            fallback || prediction.getCached()
                                    ? null
                                    : prediction.getLatency().getInferenceMicros(),
                            prediction.getScoredTime().toEpochMilli()));
        }
        ModelStep routed = path.get(0);
        StepOutcome outcome;
        try {
            outcome = StepOutcome.valueOf(routed.getOutcome());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // an outcome this code does not know: no guess
        }
        boolean last = path.size() == 1;
        return Optional.of(
                switch (outcome) {
                    case SCORED ->
                            new RoutedCall(
                                    routed.getModel(),
                                    routed.getVersion(),
                                    false,
                                    last ? prediction.getScore() : null,
                                    last ? prediction.getLatency().getInferenceMicros() : null,
                                    prediction.getScoredTime().toEpochMilli());
                    case CACHED ->
                            new RoutedCall(
                                    routed.getModel(),
                                    routed.getVersion(),
                                    false,
                                    last ? prediction.getScore() : null,
                                    null,
                                    prediction.getScoredTime().toEpochMilli());
                    case ESCALATED ->
                            new RoutedCall(
                                    routed.getModel(),
                                    routed.getVersion(),
                                    false,
                                    null,
                                    null,
                                    prediction.getScoredTime().toEpochMilli());
                    case TIMEOUT, FAILED, CIRCUIT_OPEN, UNAVAILABLE ->
                            new RoutedCall(
                                    routed.getModel(),
                                    routed.getVersion(),
                                    true,
                                    null,
                                    null,
                                    prediction.getScoredTime().toEpochMilli());
                });
    }

    private static boolean overBudget(Prediction prediction) {
        return prediction.getOverBudget()
                || DeadLetterReason.OVER_BUDGET.name().equals(prediction.getFallbackReason());
    }
}
