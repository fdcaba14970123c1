package io.scorestream.operators.rollout;

import io.scorestream.schemas.Prediction;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys predictions by model name, the key of the {@link RolloutGuard}. */
public final class PredictionModelKey implements KeySelector<Prediction, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Prediction prediction) {
        return prediction.getModelName();
    }
}
