package io.scorestream.operators.features;

/**
 * Per-session keyed state: rolling aggregates and a ring of the last steps. Kept in RocksDB by the
 * featurizer and written by {@link SessionStateSerializer}: a field added here must be added there
 * (with a new format version).
 */
public class SessionState {
    /** Events seen in this session. */
    public long count;

    /** Time of the latest event, epoch milliseconds. */
    public long lastEventTime;

    /** Per-feature running sums (double, so long sessions do not drift). */
    public double[] sums;

    /** Per-feature maximum. */
    public float[] maxs;

    /** The last steps, each {@code stepWidth} floats, written circularly. */
    public float[] recentSteps;

    /** Slot the next step is written to. */
    public int recentHead;

    public SessionState() {}
}
