package io.scorestream.operators.rollout;

import io.scorestream.schemas.Prediction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns predictions into the routed calls the {@link RolloutGuard} judges, next to the assembler:
 * only these few fields cross the network to the guard, not every prediction in full.
 */
public final class RoutedCalls implements FlatMapFunction<Prediction, RoutedCall> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Prediction prediction, Collector<RoutedCall> out) {
        RoutedCall.of(prediction).ifPresent(out::collect);
    }
}
