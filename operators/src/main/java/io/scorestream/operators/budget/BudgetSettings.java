package io.scorestream.operators.budget;

import java.io.Serializable;
import java.time.Duration;

/**
 * Per-user compute budgets: at most {@code maxInferences} model inferences per user and window.
 *
 * @param maxInferences inferences a user may spend per window; 0 turns budgets off
 * @param window length of a user's budget window, which opens with the user's first event
 * @param time whether windows follow processing time or event time
 * @param action what an event over budget gets: a flagged fallback prediction or a dead letter
 * @param fallbackScore score of an over-budget fallback prediction
 */
public record BudgetSettings(
        int maxInferences,
        Duration window,
        BudgetTime time,
        OverBudgetAction action,
        float fallbackScore)
        implements Serializable {

    /** Budgets off: every event goes to the model. */
    public static BudgetSettings disabled() {
        return new BudgetSettings(
                0, Duration.ofMinutes(1), BudgetTime.PROCESSING, OverBudgetAction.FALLBACK, 0f);
    }

    public boolean enabled() {
        return maxInferences > 0;
    }
}
