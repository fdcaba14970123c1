package io.scorestream.operators.ingest;

import io.scorestream.model.FeatureSpec;
import java.io.Serializable;
import java.util.List;

/**
 * What a scorable event looks like: the known event types and how many features it carries. Taken
 * from the serving model's feature spec, so the validator and the featurizer agree by construction.
 */
public record EventSpec(List<String> eventTypes, int featureCount) implements Serializable {

    public EventSpec {
        eventTypes = List.copyOf(eventTypes);
        if (eventTypes.isEmpty()) {
            throw new IllegalArgumentException("an event spec needs at least one event type");
        }
        if (featureCount < 1) {
            throw new IllegalArgumentException("featureCount must be positive: " + featureCount);
        }
    }

    public static EventSpec of(FeatureSpec featureSpec) {
        return new EventSpec(featureSpec.eventTypes(), featureSpec.eventFeatures().size());
    }

    /** Index of the type in the spec's order, or -1 when unknown. */
    public int typeIndex(String eventType) {
        return eventTypes.indexOf(eventType);
    }
}
