package io.scorestream.operators.inference;

import io.scorestream.model.ModelManifest;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores rows of one model version in micro-batches: callers submit single rows and get futures;
 * worker threads, each with its own predictor, take ready batches from a bounded {@link
 * MicroBatcher} and run them.
 *
 * <p>A row may carry a deadline: when its caller has timed out by the time a worker takes it (the
 * model timeout, or the async operator's timeout of its bundle), it is dropped before the model
 * call and counted: under overload the model's time goes to rows someone still waits for. A batch
 * that fails is bisected, so one bad row fails alone (an input failure) and its neighbours are
 * still scored; see {@link BatchWorker}.
 *
 * <p>Workers only run batches: each caller names the executor its answers are completed on (the
 * inference operator's mailbox thread), and a worker hands each such executor the rows of its batch
 * in one task. What callers do with an answer then costs the model's threads nothing.
 */
public final class InferenceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);

    /** The deadline of a row whose caller waits as long as it takes. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final Runnable NOTHING = () -> {};

    /** Completes answers on the worker thread, for callers that do little with them. */
    private static final Executor ON_WORKER = Runnable::run;

    private final BatchModel model;
    private final MicroBatcher<PendingRow> batcher;
    private final ResultCache cache;
    private final CircuitBreaker breaker;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong shedRows = new AtomicLong();

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
        this(BatchModel.of(model), config, cacheConfig, breakerConfig, clock);
    }

    InferenceService(
            BatchModel model,
            BatchingConfig config,
            CacheConfig cacheConfig,
            BreakerConfig breakerConfig,
            Clock clock) {
        this.model = model;
        this.batcher = new MicroBatcher<>(config, clock);
        this.cache =
                cacheConfig.caches(model.manifest().name())
                        ? new ResultCache(cacheConfig.maxEntries(), cacheConfig.ttl(), clock)
                        : null;
        this.breaker = new CircuitBreaker(breakerConfig, clock);
        ModelManifest manifest = model.manifest();
        warnIfOversubscribed(config.workerThreads(), model);
        String label = manifest.name() + ":" + manifest.version();
        for (int i = 0; i < config.workerThreads(); i++) {
            BatchWorker batches =
                    new BatchWorker(label, batcher, model.newSession(), clock, shedRows);
            Thread worker =
                    new Thread(
                            batches,
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
    private static void warnIfOversubscribed(int workers, BatchModel model) {
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

    /** Rows dropped before the model call because their caller had timed out. */
    public long shedRows() {
        return shedRows.get();
    }

    /** {@link #submit(float[], Executor)}, completing the answer on the worker thread. */
    public CompletableFuture<ScoredRow> submit(float[] row) throws InterruptedException {
        return submit(row, ON_WORKER);
    }

    /**
     * {@link #submit(float[], Executor, long, Runnable)} for a caller that waits for the answer.
     */
    public CompletableFuture<ScoredRow> submit(float[] row, Executor answers)
            throws InterruptedException {
        return submit(row, answers, NO_DEADLINE, NOTHING);
    }

    /**
     * Queues one row. Blocks while the queue is full, which is how a slow model back-pressures the
     * stream.
     *
     * @param answers where the returned future is completed, and so where its callbacks run
     * @param deadlineNanos when, on this service's clock, the caller stops waiting for the answer
     *     ({@link #NO_DEADLINE}: never); a row not taken by then is dropped, and so is one whose
     *     future was completed meanwhile (the caller's own timeout)
     * @param onShed run on {@code answers} when the row is dropped, to count it
     * @throws RejectedExecutionException when the service is closed
     */
    public CompletableFuture<ScoredRow> submit(
            float[] row, Executor answers, long deadlineNanos, Runnable onShed)
            throws InterruptedException {
        PendingRow pending =
                new PendingRow(row, new CompletableFuture<>(), answers, deadlineNanos, onShed);
        while (!batcher.offer(pending, 1, TimeUnit.SECONDS)) {
            LOG.debug("inference queue of {} full, waiting", model.manifest().name());
        }
        return pending.result();
    }

    /** {@link #trySubmit(float[], Executor)}, completing the answer on the worker thread. */
    public CompletableFuture<ScoredRow> trySubmit(float[] row) {
        return trySubmit(row, ON_WORKER);
    }

    /** {@link #trySubmit(float[], Executor, long, Runnable)} for a caller that waits. */
    public CompletableFuture<ScoredRow> trySubmit(float[] row, Executor answers) {
        return trySubmit(row, answers, NO_DEADLINE, NOTHING);
    }

    /**
     * Queues one row if there is room now. For calls made from another model's completion (a
     * cascade or fallback step), which must never block. The parameters are those of {@link
     * #submit(float[], Executor, long, Runnable)}.
     *
     * @return the future, or null when the queue is full
     * @throws RejectedExecutionException when the service is closed
     */
    public CompletableFuture<ScoredRow> trySubmit(
            float[] row, Executor answers, long deadlineNanos, Runnable onShed) {
        PendingRow pending =
                new PendingRow(row, new CompletableFuture<>(), answers, deadlineNanos, onShed);
        return batcher.offer(pending) ? pending.result() : null;
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
