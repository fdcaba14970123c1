package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scores of one model version by exact input row: bounded (least recently used entries go first)
 * and with a time to live. Shared by every subtask of a TaskManager, like the model itself.
 *
 * <p>Rows are compared bit for bit, so only a true repeat of an input is a hit; a model version is
 * deterministic for a given row, which is what makes serving a cached score correct.
 */
public final class ResultCache {

    private record Row(float[] values, int hash) {
        static Row of(float[] values) {
            return new Row(values, Arrays.hashCode(values));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Row row
                    && hash == row.hash
                    && Arrays.equals(values, row.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private record Entry(float[] scores, long expiresNanos) {}

    private final long ttlNanos;
    private final Clock clock;
    private final LinkedHashMap<Row, Entry> entries;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public ResultCache(int maxEntries, java.time.Duration ttl, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1: " + maxEntries);
        }
        this.ttlNanos = ttl.toNanos();
        this.clock = clock;
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Row, Entry> eldest) {
                        return size() > maxEntries;
                    }
                };
    }

    /** The cached scores of {@code row}, or null on a miss (absent or expired). */
    public float[] get(float[] row) {
        Row key = Row.of(row);
        synchronized (entries) {
            Entry entry = entries.get(key);
            if (entry != null && entry.expiresNanos() - clock.nanoTime() > 0) {
                hits.increment();
                return entry.scores();
            }
            if (entry != null) {
                entries.remove(key);
            }
        }
        misses.increment();
        return null;
    }

    /** Remembers the scores of {@code row} for the time to live. */
    public void put(float[] row, float[] scores) {
        Entry entry = new Entry(scores, clock.nanoTime() + ttlNanos);
        synchronized (entries) {
            entries.put(Row.of(row), entry);
        }
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** Hits over lookups so far; 0 before the first lookup. */
    public double hitRatio() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 0 : (double) h / total;
    }
}
