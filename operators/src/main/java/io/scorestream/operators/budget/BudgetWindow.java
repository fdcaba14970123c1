package io.scorestream.operators.budget;

/** One user's current budget window, in keyed state. A Flink POJO. */
public class BudgetWindow {
    /** When the window opened (ms, in the budget's time domain). */
    public long start;

    /** Inferences spent in this window. */
    public int used;

    /** Events refused in this window. */
    public int refused;

    public BudgetWindow() {}

    BudgetWindow(long start) {
        this.start = start;
    }
}
