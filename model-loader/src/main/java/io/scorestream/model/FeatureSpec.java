package io.scorestream.model;

import java.util.List;
import java.util.Objects;

/**
 * What the model expects its input rows to be made of, so a featurizer can check it matches.
 *
 * @param layout how a row is assembled from a session's events
 * @param eventTypes the event types in one-hot order
 * @param eventFeatures the per-event feature names in order
 * @param sequenceLength steps per row for {@link FeatureLayout#SESSION_SEQUENCE}, else 0
 */
public record FeatureSpec(
        FeatureLayout layout,
        List<String> eventTypes,
        List<String> eventFeatures,
        int sequenceLength) {

    public FeatureSpec {
        Objects.requireNonNull(layout, "layout");
        eventTypes = List.copyOf(Objects.requireNonNull(eventTypes, "eventTypes"));
        eventFeatures = List.copyOf(Objects.requireNonNull(eventFeatures, "eventFeatures"));
        if (sequenceLength < 0) {
            throw new IllegalArgumentException("sequenceLength must be >= 0: " + sequenceLength);
        }
    }
}
