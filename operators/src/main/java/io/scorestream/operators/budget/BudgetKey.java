package io.scorestream.operators.budget;

import io.scorestream.operators.inference.InferenceRequest;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Who pays for an inference: the event's user, or, for events without a user id, its session.
 * Anonymous traffic is thus neither free nor funnelled into one hot key.
 */
public final class BudgetKey implements KeySelector<InferenceRequest, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(InferenceRequest request) {
        return of(request.userId, request.sessionId);
    }

    public static String of(String userId, String sessionId) {
        if (userId != null && !userId.isBlank()) {
            return "user:" + userId;
        }
        return "session:" + sessionId;
    }
}
