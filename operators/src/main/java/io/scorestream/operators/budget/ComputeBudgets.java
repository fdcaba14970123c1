package io.scorestream.operators.budget;

import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import java.util.function.Function;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Puts a {@link ComputeBudget} in front of an inference step, when budgets are on. */
public final class ComputeBudgets {

    /** Stable operator id of the budget step: savepoints keep spent budgets under it. */
    public static final String UID = "compute-budget";

    private ComputeBudgets() {}

    /**
     * Requests within their user's budget go through {@code inference}; the others become
     * over-budget results beside its output. With budgets off, this is {@code inference} alone and
     * the job graph is unchanged.
     */
    public static DataStream<InferenceResult> apply(
            DataStream<InferenceRequest> requests,
            BudgetSettings budget,
            Function<DataStream<InferenceRequest>, DataStream<InferenceResult>> inference) {
        if (!budget.enabled()) {
            return inference.apply(requests);
        }
        SingleOutputStreamOperator<InferenceRequest> withinBudget =
                requests.keyBy(new BudgetKey())
                        .process(new ComputeBudget(budget))
                        .name("Compute budget")
                        .uid(UID);
        return inference
                .apply(withinBudget)
                .union(withinBudget.getSideOutput(ComputeBudget.OVER_BUDGET));
    }
}
