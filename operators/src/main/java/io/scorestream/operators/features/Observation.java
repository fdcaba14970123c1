package io.scorestream.operators.features;

/** One event as the featurizer saw it: its features, type, and gap since the previous event. */
public record Observation(float[] features, int typeIndex, double gapSeconds, long count) {}
