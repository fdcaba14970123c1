package io.scorestream.operators.rollout;

import io.scorestream.schemas.Prediction;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys predictions by the model they were routed to (the first step of their path; their model name
 * when they have none), the key of the {@link RolloutGuard}: a prediction a fallback model answered
 * still tells about the routed model's version.
 */
public final class PredictionModelKey implements KeySelector<Prediction, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Prediction prediction) {
        return RoutedCall.routedModel(prediction);
    }
}
