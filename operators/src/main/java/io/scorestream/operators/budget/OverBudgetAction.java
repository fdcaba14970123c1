package io.scorestream.operators.budget;

/** What an event gets when its user has spent the window's budget. */
public enum OverBudgetAction {
    /**
     * A prediction with the fallback score, flagged {@code overBudget} and {@code fallback} with
     * reason OVER_BUDGET.
     */
    FALLBACK,
    /** No prediction: the event goes to the dead-letter topic with reason OVER_BUDGET. */
    DEAD_LETTER
}
