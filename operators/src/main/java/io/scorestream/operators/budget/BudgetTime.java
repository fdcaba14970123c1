package io.scorestream.operators.budget;

/** Which clock a budget window follows. */
public enum BudgetTime {
    /** The TaskManager's wall clock: a window is a span of real time. */
    PROCESSING,
    /** The events' own time: replays and backlogs are budgeted as they originally happened. */
    EVENT
}
