package io.scorestream.operators.budget;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@link BudgetKey} (user id): lets at most {@code maxInferences} requests per user and
 * window through to the model; the rest leave on {@link #OVER_BUDGET} as a fallback result or a
 * failure to be dead-lettered (reason OVER_BUDGET), never reaching the model.
 *
 * <p>A user's window opens with their first event and lasts {@code window}; it lives in keyed state
 * (RocksDB in the job), so spent budgets survive restarts and rescaling. A timer at the window's
 * end clears the state and records the window's usage, so idle users cost nothing. Time is read
 * from Flink's timer service (processing or event time), which tests move by hand.
 *
 * <p>Metrics, bounded whatever the number of users: the histogram {@code budgetUsagePerWindow}
 * (inferences a user spent in a window, recorded when the window closes) and the counters {@code
 * budgetedInferences} and {@code overBudgetEvents}.
 */
public class ComputeBudget
        extends KeyedProcessFunction<String, InferenceRequest, InferenceRequest> {
    private static final long serialVersionUID = 1L;

    /** Results of requests over budget: fallbacks or failures, never sent to the model. */
    public static final OutputTag<InferenceResult> OVER_BUDGET = new OutputTag<>("over-budget") {};

    static final String STATE_NAME = "budget-window";

    private final BudgetSettings budget;

    private transient ValueState<BudgetWindow> window;
    private transient Counter admitted;
    private transient Counter refused;
    private transient Histogram usage;

    public ComputeBudget(BudgetSettings budget) {
        if (!budget.enabled()) {
            throw new IllegalArgumentException("budgets are off: maxInferences must be positive");
        }
        if (budget.window().isZero() || budget.window().isNegative()) {
            throw new IllegalArgumentException("budget window must be positive");
        }
        this.budget = budget;
    }

    static ValueStateDescriptor<BudgetWindow> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, BudgetWindow.class);
    }

    @Override
    public void open(OpenContext openContext) {
        window = getRuntimeContext().getState(stateDescriptor());
        var metrics = getRuntimeContext().getMetricGroup();
        admitted = metrics.counter("budgetedInferences");
        refused = metrics.counter("overBudgetEvents");
        usage = metrics.histogram("budgetUsagePerWindow", new DescriptiveStatisticsHistogram(1024));
    }

    @Override
    public void processElement(
            InferenceRequest request, Context ctx, Collector<InferenceRequest> out)
            throws Exception {
        long now = now(ctx);
        long length = budget.window().toMillis();
        BudgetWindow current = window.value();
        if (current != null && now >= current.start + length) {
            // The window ended but its timer has not fired yet (timers and records interleave).
            close(current, ctx.timerService());
            current = null;
        }
        if (current == null) {
            current = new BudgetWindow(now);
            register(ctx.timerService(), current.start + length);
        }
        if (current.used < budget.maxInferences()) {
            current.used++;
            window.update(current);
            admitted.inc();
            out.collect(request);
            return;
        }
        current.refused++;
        window.update(current);
        refused.inc();
        ctx.output(OVER_BUDGET, overBudget(request, ctx.getCurrentKey(), current));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<InferenceRequest> out)
            throws Exception {
        BudgetWindow current = window.value();
        if (current != null && timestamp >= current.start + budget.window().toMillis()) {
            usage.update(current.used);
            window.clear();
        }
    }

    private void close(BudgetWindow ended, TimerService timers) {
        usage.update(ended.used);
        long end = ended.start + budget.window().toMillis();
        if (budget.time() == BudgetTime.EVENT) {
            timers.deleteEventTimeTimer(end);
        } else {
            timers.deleteProcessingTimeTimer(end);
        }
        window.clear();
    }

    private void register(TimerService timers, long end) {
        if (budget.time() == BudgetTime.EVENT) {
            timers.registerEventTimeTimer(end);
        } else {
            timers.registerProcessingTimeTimer(end);
        }
    }

    private long now(Context ctx) {
        if (budget.time() == BudgetTime.EVENT) {
            Long timestamp = ctx.timestamp();
            if (timestamp == null) {
                throw new IllegalStateException("event-time budgets need records with timestamps");
            }
            return timestamp;
        }
        return ctx.timerService().currentProcessingTime();
    }

    private InferenceResult overBudget(InferenceRequest request, String key, BudgetWindow spent) {
        String reason = DeadLetterReason.OVER_BUDGET.name();
        return switch (budget.action()) {
            case FALLBACK -> InferenceResult.fallback(request, reason, budget.fallbackScore(), 0);
            case DEAD_LETTER ->
                    InferenceResult.failed(
                            request,
                            reason,
                            new OverBudgetException(
                                    key
                                            + " spent its budget of "
                                            + budget.maxInferences()
                                            + " inferences per "
                                            + budget.window()
                                            + " (window opened at "
                                            + spent.start
                                            + ")"),
                            0);
        };
    }
}
