package io.scorestream.operators.features;

import io.scorestream.operators.ingest.EventSpec;
import java.io.Serializable;
import java.util.List;

/**
 * The session feature arithmetic of {@code models/FEATURE_SPEC.md}: updates a {@link SessionState}
 * with an event and builds the model inputs from it. Pure and deterministic; golden files made by
 * the Python generator pin it.
 */
public final class SessionFeatures implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int featureCount;
    private final int typeCount;
    private final int historyLength;

    /**
     * @param historyLength steps kept per session for sequence models; 0 keeps none
     */
    public SessionFeatures(EventSpec spec, int historyLength) {
        if (historyLength < 0) {
            throw new IllegalArgumentException(
                    "historyLength must not be negative: " + historyLength);
        }
        this.featureCount = spec.featureCount();
        this.typeCount = spec.eventTypes().size();
        this.historyLength = historyLength;
    }

    /** Floats per step: the features, a one-hot event type, and log1p of the gap. */
    public int stepWidth() {
        return featureCount + typeCount + 1;
    }

    public int historyLength() {
        return historyLength;
    }

    /** Width of the {@code event_with_session_aggregates} input. */
    public int aggregateInputWidth() {
        return featureCount + typeCount + 2 + 2 * featureCount;
    }

    /** Adds an event to the session and returns what the model inputs need of it. */
    public Observation observe(
            SessionState state, int typeIndex, List<Float> features, long eventTime) {
        if (state.sums == null) {
            initialise(state);
        } else if (state.recentSteps.length != historyLength * stepWidth()) {
            keepHistoryOf(state, historyLength);
        }
        float[] x = new float[featureCount];
        for (int i = 0; i < featureCount; i++) {
            x[i] = features.get(i);
        }
        double gap =
                state.count == 0 ? 0.0 : Math.max(0.0, (eventTime - state.lastEventTime) / 1000.0);
        state.count++;
        for (int i = 0; i < featureCount; i++) {
            state.sums[i] += x[i];
            state.maxs[i] = state.count == 1 ? x[i] : Math.max(state.maxs[i], x[i]);
        }
        state.lastEventTime = eventTime;
        appendStep(state, x, typeIndex, gap);
        return new Observation(x, typeIndex, gap, state.count);
    }

    /**
     * What the model inputs need of an event the session already holds, leaving the session as it
     * is: the event's own features and type, the session's count so far, and no gap. Used for an
     * event replayed after a stage behind the featurizer rejected it.
     */
    public Observation replayed(SessionState state, int typeIndex, List<Float> features) {
        float[] x = new float[featureCount];
        for (int i = 0; i < featureCount; i++) {
            x[i] = features.get(i);
        }
        return new Observation(x, typeIndex, 0.0, state.count);
    }

    /** The per-event model's input: this event, then the session's aggregates so far. */
    public float[] eventWithSessionAggregates(SessionState state, Observation event) {
        float[] input = new float[aggregateInputWidth()];
        int at = writeEvent(input, 0, event.features(), event.typeIndex());
        input[at++] = (float) Math.log1p(event.count());
        input[at++] = (float) Math.log1p(event.gapSeconds());
        for (int i = 0; i < featureCount; i++) {
            input[at++] = (float) (state.sums[i] / state.count);
        }
        for (int i = 0; i < featureCount; i++) {
            input[at++] = state.maxs[i];
        }
        return input;
    }

    /**
     * The sequence model's input: the last {@code length} steps including this event, oldest first,
     * left-padded with zero rows.
     */
    public float[] sessionSequence(SessionState state, int length) {
        if (length > historyLength) {
            throw new IllegalArgumentException(
                    "a sequence of "
                            + length
                            + " needs a history of at least that many events, have "
                            + historyLength);
        }
        int width = stepWidth();
        float[] input = new float[length * width];
        int available = (int) Math.min(state.count, length);
        for (int k = 0; k < available; k++) {
            // k = 0 is the newest step; it goes to the last row.
            int slot = Math.floorMod(state.recentHead - 1 - k, historyLength);
            System.arraycopy(
                    state.recentSteps, slot * width, input, (length - 1 - k) * width, width);
        }
        return input;
    }

    private void initialise(SessionState state) {
        state.sums = new double[featureCount];
        state.maxs = new float[featureCount];
        state.recentSteps = new float[historyLength * stepWidth()];
        state.recentHead = 0;
    }

    /**
     * Re-lays a session's ring of steps, kept with another history length (the job was restored
     * with another setting, or other models), to {@code slots} steps: the newest steps it holds
     * stay, oldest first, and the next step goes after them.
     */
    private void keepHistoryOf(SessionState state, int slots) {
        int width = stepWidth();
        int oldSlots = state.recentSteps.length / width;
        int kept = (int) Math.min(Math.min(state.count, oldSlots), slots);
        float[] ring = new float[slots * width];
        for (int k = 0; k < kept; k++) {
            // k = 0 is the oldest step kept; the newest sits just before the old head.
            int from = Math.floorMod(state.recentHead - kept + k, oldSlots);
            System.arraycopy(state.recentSteps, from * width, ring, k * width, width);
        }
        state.recentSteps = ring;
        state.recentHead = slots == 0 ? 0 : kept % slots;
    }

    private void appendStep(SessionState state, float[] x, int typeIndex, double gap) {
        if (historyLength == 0) {
            return;
        }
        int width = stepWidth();
        int at = writeEvent(state.recentSteps, state.recentHead * width, x, typeIndex);
        state.recentSteps[at] = (float) Math.log1p(gap);
        state.recentHead = (state.recentHead + 1) % historyLength;
    }

    /** Writes the features and the one-hot event type from {@code at}; returns the next index. */
    private int writeEvent(float[] target, int at, float[] x, int typeIndex) {
        System.arraycopy(x, 0, target, at, featureCount);
        at += featureCount;
        java.util.Arrays.fill(target, at, at + typeCount, 0.0f);
        target[at + typeIndex] = 1.0f;
        return at + typeCount;
    }
}
