package io.scorestream.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a model's input row is built from events; see {@code models/FEATURE_SPEC.md}. */
public enum FeatureLayout {
    /** One row per event: the event's own features plus running aggregates of its session. */
    EVENT_WITH_SESSION_AGGREGATES,
    /** One row per event: the last {@code sequenceLength} step vectors of its session. */
    SESSION_SEQUENCE;

    /** The spelling used in {@code manifest.json}, e.g. {@code event_with_session_aggregates}. */
    public String manifestName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the manifest spelling.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static FeatureLayout fromManifest(String value) {
        for (FeatureLayout layout : values()) {
            if (layout.manifestName().equals(value)) {
                return layout;
            }
        }
        throw new IllegalArgumentException(
                "unknown feature layout '"
                        + value
                        + "', expected one of "
                        + Arrays.stream(values())
                                .map(FeatureLayout::manifestName)
                                .collect(Collectors.joining(", ")));
    }
}
