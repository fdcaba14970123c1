package io.scorestream.operators.inference;

import io.scorestream.model.InvalidModelInputException;
import io.scorestream.operators.inference.MicroBatcher.Queued;
import io.scorestream.operators.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker thread of an {@link InferenceService}: takes ready batches, drops the rows nobody
 * waits for any more, scores the others with its own model session and hands each caller its
 * answers.
 *
 * <p>A batch that fails is split in halves and retried, so one bad row fails alone and its
 * neighbours are still scored. A row that fails while others of its batch scored, or whose input
 * does not fit the model, is an input failure ({@link InputFailureException}, {@link
 * InvalidModelInputException}); when no row of the batch scored, the model failed, and each row
 * fails with its error. A worker never dies of a model error.
 */
final class BatchWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWorker.class);

    private final String label;
    private final MicroBatcher<PendingRow> batcher;
    private final BatchModel.Session session;
    private final Clock clock;
    private final AtomicLong shedRows;

    /**
     * @param label the model version, {@code model:version}, for messages
     * @param session the worker's own session, closed when it stops
     * @param shedRows counts the rows it drops
     */
    BatchWorker(
            String label,
            MicroBatcher<PendingRow> batcher,
            BatchModel.Session session,
            Clock clock,
            AtomicLong shedRows) {
        this.label = label;
        this.batcher = batcher;
        this.session = session;
        this.clock = clock;
        this.shedRows = shedRows;
    }

    @Override
    public void run() {
        try (session) {
            while (true) {
                List<Queued<PendingRow>> batch = batcher.take();
                if (batch.isEmpty()) {
                    return;
                }
                List<Queued<PendingRow>> awaited = shedAbandoned(batch);
                if (!awaited.isEmpty()) {
                    score(awaited);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("inference worker of {} stopped", label, e);
        }
    }

    /**
     * Drops the rows of {@code batch} nobody waits for any more, completing them as timed out for a
     * caller that still looks; returns the others.
     */
    private List<Queued<PendingRow>> shedAbandoned(List<Queued<PendingRow>> batch) {
        long now = clock.nanoTime();
        List<Queued<PendingRow>> awaited = null;
        List<Queued<PendingRow>> abandoned = null;
        for (int i = 0; i < batch.size(); i++) {
            Queued<PendingRow> queued = batch.get(i);
            if (queued.item().abandonedAt(now)) {
                if (abandoned == null) {
                    abandoned = new ArrayList<>();
                    awaited = new ArrayList<>(batch.subList(0, i));
                }
                abandoned.add(queued);
            } else if (awaited != null) {
                awaited.add(queued);
            }
        }
        if (abandoned == null) {
            return batch; // the usual case: no copy
        }
        shedRows.addAndGet(abandoned.size());
        answer(
                abandoned,
                (queued, index) -> {
                    PendingRow pending = queued.item();
                    pending.result().completeExceptionally(new CallerTimedOutException(label));
                    pending.onShed().run();
                });
        return awaited;
    }

    private void score(List<Queued<PendingRow>> batch) {
        RuntimeException error = scoreOrFail(batch);
        if (error != null) {
            Isolation isolation = new Isolation();
            isolation.bisect(batch, error);
            isolation.failIsolatedRows();
        }
    }

    /**
     * Scores {@code batch} and answers its rows; returns the model's error instead if it failed.
     */
    private RuntimeException scoreOrFail(List<Queued<PendingRow>> batch) {
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).item().row();
        }
        long started = clock.nanoTime();
        float[][] outputs;
        try {
            outputs = session.predict(rows);
        } catch (RuntimeException e) {
            return e;
        }
        long computeNanos = clock.nanoTime() - started;
        answer(
                batch,
                (queued, index) ->
                        queued.item()
                                .result()
                                .complete(
                                        new ScoredRow(
                                                outputs[index],
                                                started - queued.enqueuedNanos(),
                                                computeNanos,
                                                rows.length)));
        return null;
    }

    /**
     * A failed batch, split in halves and retried until the rows that fail are alone. Whether the
     * model or the rows are at fault is known only at the end: if no row of the batch scored, the
     * model failed, and each row fails with the model's error; if some did, each row that failed
     * alone is an input failure.
     */
    private final class Isolation {
        private final List<Queued<PendingRow>> failed = new ArrayList<>();
        private final List<RuntimeException> errors = new ArrayList<>();
        private boolean anyScored;

        void bisect(List<Queued<PendingRow>> batch, RuntimeException error) {
            if (batch.size() == 1) {
                failed.add(batch.get(0));
                errors.add(error);
                return;
            }
            int middle = batch.size() / 2;
            retry(batch.subList(0, middle));
            retry(batch.subList(middle, batch.size()));
        }

        private void retry(List<Queued<PendingRow>> half) {
            RuntimeException error = scoreOrFail(half);
            if (error == null) {
                anyScored = true;
            } else {
                bisect(half, error);
            }
        }

        void failIsolatedRows() {
            answer(
                    failed,
                    (queued, index) -> {
                        RuntimeException error = errors.get(index);
                        queued.item()
                                .result()
                                .completeExceptionally(
                                        anyScored && !InputFailureException.isInputFailure(error)
                                                ? new InputFailureException(error)
                                                : error);
                    });
        }
    }

    /** Completes one row of a batch, by its index there. */
    @FunctionalInterface
    private interface Completion {
        void complete(Queued<PendingRow> queued, int index);
    }

    /**
     * Runs {@code completion} for each row of {@code batch}, one task per executor its rows name.
     */
    private void answer(List<Queued<PendingRow>> batch, Completion completion) {
        Map<Executor, List<Integer>> rowsByExecutor = new IdentityHashMap<>(2);
        for (int i = 0; i < batch.size(); i++) {
            rowsByExecutor
                    .computeIfAbsent(batch.get(i).item().answers(), executor -> new ArrayList<>())
                    .add(i);
        }
        rowsByExecutor.forEach(
                (executor, indexes) -> {
                    try {
                        executor.execute(
                                () -> {
                                    for (int index : indexes) {
                                        completion.complete(batch.get(index), index);
                                    }
                                });
                    } catch (RejectedExecutionException callerClosed) {
                        // The operator that asked is gone; its in-flight requests are replayed from
                        // the last checkpoint.
                        LOG.debug(
                                "{} answers of {} dropped: their caller has closed",
                                indexes.size(),
                                label);
                    }
                });
    }
}
