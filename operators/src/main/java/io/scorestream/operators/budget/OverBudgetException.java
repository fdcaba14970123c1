package io.scorestream.operators.budget;

/** Why an over-budget event was dead-lettered; carried as the dead letter's error class. */
public class OverBudgetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OverBudgetException(String message) {
        super(message);
    }
}
