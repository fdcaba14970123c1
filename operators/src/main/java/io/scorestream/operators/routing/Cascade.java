package io.scorestream.operators.routing;

import java.io.Serializable;
import java.util.Objects;

/**
 * Escalation from a small model to a large one: when the small model's score falls in the uncertain
 * band {@code [lower, upper]}, the event is scored again by the large model, whose score is the
 * prediction's. Confident scores (outside the band) cost one small-model call only.
 *
 * @param from the small model, scored first
 * @param to the large model, called for uncertain scores
 * @param lower lowest uncertain score, inclusive
 * @param upper highest uncertain score, inclusive
 */
public record Cascade(String from, String to, float lower, float upper) implements Serializable {

    public Cascade {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException(
                    "a cascade needs two models, got " + from + " twice");
        }
        if (!(lower <= upper)) {
            throw new IllegalArgumentException(
                    "uncertain band " + lower + ".." + upper + " is empty or not a number");
        }
    }

    /** Whether a score of the small model is uncertain enough to ask the large one. */
    public boolean escalates(float score) {
        return score >= lower && score <= upper;
    }
}
