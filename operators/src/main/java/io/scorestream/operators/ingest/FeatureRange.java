package io.scorestream.operators.ingest;

import java.io.Serializable;

/** Closed interval a feature's value must lie in. */
public record FeatureRange(float min, float max) implements Serializable {

    /** Generous default: keeps out only values no real feature has. */
    public static final FeatureRange DEFAULT = new FeatureRange(-1.0e9f, 1.0e9f);

    public FeatureRange {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException(
                    "a feature range needs finite min <= max, got " + min + ".." + max);
        }
    }

    /** Parses {@code min..max}, e.g. {@code 0..1e6} or {@code -5..5}. */
    public static FeatureRange parse(String text) {
        int dots = text.indexOf("..");
        if (dots < 0) {
            throw new IllegalArgumentException("expected min..max, got '" + text + "'");
        }
        try {
            return new FeatureRange(
                    Float.parseFloat(text.substring(0, dots).trim()),
                    Float.parseFloat(text.substring(dots + 2).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected min..max, got '" + text + "'", e);
        }
    }

    public boolean contains(float value) {
        return value >= min && value <= max;
    }

    @Override
    public String toString() {
        return min + ".." + max;
    }
}
