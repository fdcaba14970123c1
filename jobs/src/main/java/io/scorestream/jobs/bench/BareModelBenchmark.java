package io.scorestream.jobs.bench;

import io.scorestream.model.ModelSession;
import io.scorestream.model.ScoringModel;
import java.time.Duration;
import java.util.Arrays;

/** The ceiling: one thread calling the model in a tight loop at a fixed batch size. */
final class BareModelBenchmark {

    private BareModelBenchmark() {}

    static BenchResult run(
            ScoringModel model,
            float[][] inputs,
            int batchSize,
            Duration warmup,
            Duration measure) {
        float[][][] batches =
                new float[inputs.length / batchSize > 0 ? inputs.length / batchSize : 1][][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new float[batchSize][];
            for (int i = 0; i < batchSize; i++) {
                batches[b][i] = inputs[(b * batchSize + i) % inputs.length];
            }
        }
        try (ModelSession session = model.newSession()) {
            loop(session, batches, warmup.toNanos(), new CallTimes(0));
            CallTimes times = new CallTimes(1 << 20);
            long elapsed = loop(session, batches, measure.toNanos(), times);
            return new BenchResult(
                    "bare-b" + batchSize,
                    model.manifest().name(),
                    (double) times.calls * batchSize / (elapsed / 1e9),
                    times.percentileNanos(0.50) / 1e6,
                    times.percentileNanos(0.99) / 1e6,
                    "per call, one thread");
        }
    }

    /** Durations of model calls (the first {@code capacity} of them) and how many there were. */
    private static final class CallTimes {
        private final long[] nanos;
        private long calls;

        CallTimes(int capacity) {
            nanos = new long[capacity];
        }

        void add(long callNanos) {
            if (calls < nanos.length) {
                nanos[(int) calls] = callNanos;
            }
            calls++;
        }

        double percentileNanos(double quantile) {
            long[] sorted = Arrays.copyOf(nanos, (int) Math.min(calls, nanos.length));
            if (sorted.length == 0) {
                return 0;
            }
            Arrays.sort(sorted);
            return sorted[
                    (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
        }
    }

    /** Predicts in a loop for {@code budgetNanos}; returns the time taken. */
    private static long loop(
            ModelSession session, float[][][] batches, long budgetNanos, CallTimes times) {
        long start = System.nanoTime();
        long now = start;
        int i = 0;
        while (now - start < budgetNanos) {
            session.predict(batches[i++ % batches.length]);
            long after = System.nanoTime();
            times.add(after - now);
            now = after;
        }
        return now - start;
    }
}
