package io.scorestream.operators.inference;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A row waiting in an {@link InferenceService}'s queue.
 *
 * @param result completed on {@code answers} with the row's scores or error
 * @param answers where the caller wants its answers handled
 * @param deadlineNanos when the caller stops waiting, on the service's clock, or {@link
 *     InferenceService#NO_DEADLINE}
 * @param onShed run on {@code answers} when the row is dropped unscored
 */
record PendingRow(
        float[] row,
        CompletableFuture<ScoredRow> result,
        Executor answers,
        long deadlineNanos,
        Runnable onShed) {

    /** Whether nobody waits for this row any more at {@code nowNanos}. */
    boolean abandonedAt(long nowNanos) {
        return result.isDone()
                || (deadlineNanos != InferenceService.NO_DEADLINE && nowNanos - deadlineNanos >= 0);
    }
}
