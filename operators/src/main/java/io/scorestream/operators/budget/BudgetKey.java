package io.scorestream.operators.budget;

import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.schemas.InferenceEvent;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Who pays for an inference: the event's user, or, for events without a user id, its session.
 * Anonymous traffic is thus neither free nor funnelled into one hot key.
 */
public final class BudgetKey implements KeySelector<InferenceRequest, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(InferenceRequest request) {
        return of(request.event);
    }

    public static String of(InferenceEvent event) {
        String user = event.getUserId();
        if (user != null && !user.isBlank()) {
            return "user:" + user;
        }
        return "session:" + event.getSessionId();
    }
}
