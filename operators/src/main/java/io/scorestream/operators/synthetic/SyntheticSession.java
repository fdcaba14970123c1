package io.scorestream.operators.synthetic;

import io.scorestream.schemas.InferenceEvent;
import java.util.List;

/** A generated session: its events in order and its hidden labels. */
public record SyntheticSession(
        String sessionId,
        String userId,
        boolean fraud,
        boolean buyer,
        List<InferenceEvent> events) {

    /**
     * The label a model with the given manifest label ({@code fraud} or {@code buyer}) predicts.
     */
    public boolean label(String labelName) {
        return switch (labelName) {
            case "fraud" -> fraud;
            case "buyer" -> buyer;
            default -> throw new IllegalArgumentException("unknown label: " + labelName);
        };
    }
}
