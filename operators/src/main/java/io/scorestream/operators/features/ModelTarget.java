package io.scorestream.operators.features;

import io.scorestream.model.FeatureLayout;
import io.scorestream.model.ModelManifest;
import java.io.Serializable;

/**
 * The model version the featurizer builds inputs for: its identity and the input layout it expects.
 * Resolved from the manifest when the job is built, so every subtask serves the same version.
 */
public record ModelTarget(
        String name, String version, FeatureLayout layout, int sequenceLength, int inputWidth)
        implements Serializable {

    public static ModelTarget of(ModelManifest manifest) {
        return new ModelTarget(
                manifest.name(),
                manifest.version(),
                manifest.featureSpec().layout(),
                manifest.featureSpec().sequenceLength(),
                manifest.input().elementCount());
    }

    /** Events of session history this model's input reads: its sequence, or none. */
    public int historyNeeded() {
        return layout == FeatureLayout.SESSION_SEQUENCE ? sequenceLength : 0;
    }

    /**
     * @throws IllegalArgumentException when a session history of {@code historyLength} events is
     *     too short for this model's input
     */
    public void checkHistoryCovers(int historyLength) {
        if (historyNeeded() > historyLength) {
            throw new IllegalArgumentException(
                    "session history of "
                            + historyLength
                            + " events is shorter than the sequence length "
                            + sequenceLength
                            + " of model "
                            + name
                            + ":"
                            + version
                            + " (scorestream.session.history-length keeps a longer history)");
        }
    }

    /** Builds this model's input from the session after {@code event} was observed. */
    public float[] buildInput(SessionFeatures features, SessionState state, Observation event) {
        float[] input =
                switch (layout) {
                    case EVENT_WITH_SESSION_AGGREGATES ->
                            features.eventWithSessionAggregates(state, event);
                    case SESSION_SEQUENCE -> features.sessionSequence(state, sequenceLength);
                };
        if (input.length != inputWidth) {
            throw new IllegalStateException(
                    "feature spec mismatch: built "
                            + input.length
                            + " floats for "
                            + name
                            + ":"
                            + version
                            + ", which expects "
                            + inputWidth);
        }
        return input;
    }
}
