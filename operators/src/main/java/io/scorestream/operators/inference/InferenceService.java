package io.scorestream.operators.inference;

import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelSession;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.inference.MicroBatcher.Queued;
import io.scorestream.operators.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores rows of one model version in micro-batches: callers submit single rows and get futures;
 * worker threads, each with its own predictor, take ready batches from a bounded {@link
 * MicroBatcher} and run them.
 *
 * <p>A batch that fails is split in halves and retried, so one bad row fails alone and its
 * neighbours are still scored. Workers never die of a model error.
 *
 * <p>Workers only run batches: each caller names the executor its answers are completed on (the
 * inference operator's mailbox thread), and a worker hands each such executor the rows of its batch
 * in one task. What callers do with an answer then costs the model's threads nothing.
 */
public final class InferenceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);

    private record Pending(float[] row, CompletableFuture<ScoredRow> result, Executor answers) {}

    /** Completes answers on the worker thread, for callers that do little with them. */
    private static final Executor ON_WORKER = Runnable::run;

    private final ScoringModel model;
    private final Clock clock;
    private final MicroBatcher<Pending> batcher;
    private final ResultCache cache;
    private final CircuitBreaker breaker;
    private final List<Thread> workers = new ArrayList<>();

    /** A service without result cache or circuit breaker. */
    public InferenceService(ScoringModel model, BatchingConfig config, Clock clock) {
        this(model, config, CacheConfig.off(), BreakerConfig.off(), clock);
    }

    public InferenceService(
            ScoringModel model,
            BatchingConfig config,
            CacheConfig cacheConfig,
            BreakerConfig breakerConfig,
            Clock clock) {
        this.model = model;
        this.clock = clock;
        this.batcher = new MicroBatcher<>(config, clock);
        this.cache =
                cacheConfig.caches(model.manifest().name())
                        ? new ResultCache(cacheConfig.maxEntries(), cacheConfig.ttl(), clock)
                        : null;
        this.breaker = new CircuitBreaker(breakerConfig, clock);
        ModelManifest manifest = model.manifest();
        warnIfOversubscribed(config.workerThreads(), model);
        for (int i = 0; i < config.workerThreads(); i++) {
            ModelSession session = model.newSession();
            Thread worker =
                    new Thread(
                            () -> runWorker(session),
                            "inference-" + manifest.name() + "-" + manifest.version() + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    /**
     * Workers × intra-op threads above the cores make every batch slower, not more of them; and
     * OpenMP threads that spin between batches take a core from the stream's own threads.
     */
    private static void warnIfOversubscribed(int workers, ScoringModel model) {
        if (!"PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
            LOG.warn(
                    "OMP_WAIT_POLICY is not PASSIVE: the OpenMP threads of {} may spin between"
                            + " batches on a core the stream needs; set OMP_WAIT_POLICY=PASSIVE in"
                            + " the TaskManager's environment (bin/scorestream and the image do)",
                    model.manifest().name());
        }
        int intraOp = Integer.getInteger("ai.djl.pytorch.num_threads", 1);
        int cores = Runtime.getRuntime().availableProcessors();
        if (workers * intraOp > cores) {
            LOG.warn(
                    "{} inference workers x {} intra-op threads for {} exceed the {} cores of this"
                            + " TaskManager: lower scorestream.inference.worker-threads or"
                            + " scorestream.model.intra-op-threads",
                    workers,
                    intraOp,
                    model.manifest().name(),
                    cores);
        }
    }

    /** This version's result cache on this TaskManager, or null when it is not cached. */
    public ResultCache cache() {
        return cache;
    }

    /** This version's circuit breaker on this TaskManager. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Rows waiting for a batch. */
    public int queueDepth() {
        return batcher.size();
    }

    /** {@link #submit(float[], Executor)}, completing the answer on the worker thread. */
    public CompletableFuture<ScoredRow> submit(float[] row) throws InterruptedException {
        return submit(row, ON_WORKER);
    }

    /**
     * Queues one row. Blocks while the queue is full, which is how a slow model back-pressures the
     * stream.
     *
     * @param answers where the returned future is completed, and so where its callbacks run
     * @throws RejectedExecutionException when the service is closed
     */
    public CompletableFuture<ScoredRow> submit(float[] row, Executor answers)
            throws InterruptedException {
        Pending pending = new Pending(row, new CompletableFuture<>(), answers);
        while (!batcher.offer(pending, 1, TimeUnit.SECONDS)) {
            LOG.debug("inference queue of {} full, waiting", model.manifest().name());
        }
        return pending.result();
    }

    /** {@link #trySubmit(float[], Executor)}, completing the answer on the worker thread. */
    public CompletableFuture<ScoredRow> trySubmit(float[] row) {
        return trySubmit(row, ON_WORKER);
    }

    /**
     * Queues one row if there is room now. For calls made from another model's completion (a
     * cascade or fallback step), which must never block.
     *
     * @return the future, or null when the queue is full
     * @throws RejectedExecutionException when the service is closed
     */
    public CompletableFuture<ScoredRow> trySubmit(float[] row, Executor answers) {
        Pending pending = new Pending(row, new CompletableFuture<>(), answers);
        return batcher.offer(pending) ? pending.result() : null;
    }

    private void runWorker(ModelSession session) {
        try (session) {
            while (true) {
                List<Queued<Pending>> batch = batcher.take();
                if (batch.isEmpty()) {
                    return;
                }
                score(session, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("inference worker of {} stopped", model.manifest().name(), e);
        }
    }

    private void score(ModelSession session, List<Queued<Pending>> batch) {
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).item().row();
        }
        long started = clock.nanoTime();
        float[][] outputs;
        try {
            outputs = session.predict(rows);
        } catch (RuntimeException e) {
            isolateFailure(session, batch, e);
            return;
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
    }

    /** Retries the halves of a failed batch until the rows that fail are alone. */
    private void isolateFailure(
            ModelSession session, List<Queued<Pending>> batch, RuntimeException error) {
        if (batch.size() == 1) {
            answer(batch, (queued, index) -> queued.item().result().completeExceptionally(error));
            return;
        }
        int middle = batch.size() / 2;
        score(session, batch.subList(0, middle));
        score(session, batch.subList(middle, batch.size()));
    }

    /** Completes one row of a batch, by its index there. */
    @FunctionalInterface
    private interface Completion {
        void complete(Queued<Pending> queued, int index);
    }

    /**
     * Runs {@code completion} for each row of {@code batch}, one task per executor its rows name.
     */
    private void answer(List<Queued<Pending>> batch, Completion completion) {
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
                                model.manifest().name());
                    }
                });
    }

    /** Stops accepting rows, lets workers finish what is queued, and closes the model. */
    @Override
    public void close() {
        batcher.close();
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        model.close();
    }
}
