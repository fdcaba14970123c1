package io.scorestream.operators.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.ModelInput;
import io.scorestream.schemas.InferenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The budget function in a keyed harness: time moves only when the test moves it. */
class ComputeBudgetTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private KeyedOneInputStreamOperatorTestHarness<String, InferenceRequest, InferenceRequest>
            harness;
    private int nextId;

    private MockEnvironment environment;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (environment != null) {
            environment.close();
        }
    }

    @Test
    void admitsEachUserUpToTheBudgetAndFallsBackForTheRest() throws Exception {
        harness =
                open(budget(3, BudgetTime.PROCESSING, OverBudgetAction.FALLBACK), rocksDb(), null);
        harness.setProcessingTime(1_000);

        for (int i = 0; i < 5; i++) {
            harness.processElement(request("u-1", "s-1"), 0);
        }
        harness.processElement(request("u-2", "s-2"), 0);
        harness.processElement(request("u-1", "s-3"), 0); // another session, same user

        assertThat(admittedIds()).containsExactly("e-0", "e-1", "e-2", "e-5");
        List<InferenceResult> refused = overBudget();
        assertThat(refused).extracting(r -> r.request.eventId).containsExactly("e-3", "e-4", "e-6");
        for (InferenceResult result : refused) {
            assertThat(result.outcome).isEqualTo(InferenceResult.Outcome.FALLBACK);
            assertThat(result.reason).isEqualTo("OVER_BUDGET");
            assertThat(result.scores).containsExactly(0.25f);
            assertThat(result.batchSize).isZero();
        }
    }

    @Test
    void aNewWindowBringsAFreshBudgetAndTheTimerClearsIdleUsers() throws Exception {
        harness =
                open(
                        budget(2, BudgetTime.PROCESSING, OverBudgetAction.FALLBACK),
                        new HashMapStateBackend(),
                        null);
        harness.setProcessingTime(10_000);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.setProcessingTime(30_000);
        harness.processElement(request("u-2", "s-2"), 0);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.processElement(request("u-1", "s-1"), 0);
        assertThat(overBudget()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);

        // u-1's window (opened at 10 s) ends at 70 s; u-2's (30 s) at 90 s.
        harness.setProcessingTime(10_000 + WINDOW.toMillis());
        assertThat(harness.numKeyedStateEntries()).as("u-1 cleared").isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.processElement(request("u-1", "s-1"), 0);
        assertThat(overBudget()).as("fresh budget for u-1").hasSize(1);

        harness.setProcessingTime(10_000 + 2 * WINDOW.toMillis());
        assertThat(harness.numKeyedStateEntries()).as("no state left").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("no timers left").isZero();
    }

    @Test
    void deadLettersOverBudgetEventsWhenSoConfigured() throws Exception {
        harness =
                open(
                        budget(1, BudgetTime.PROCESSING, OverBudgetAction.DEAD_LETTER),
                        rocksDb(),
                        null);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.processElement(request("u-1", "s-1"), 0);

        InferenceResult refused = overBudget().get(0);
        assertThat(refused.outcome).isEqualTo(InferenceResult.Outcome.FAILED);
        assertThat(refused.reason).isEqualTo("OVER_BUDGET");
        assertThat(refused.errorClass).isEqualTo(OverBudgetException.class.getName());
        assertThat(refused.message).contains("user:u-1", "1 inferences per PT1M");
    }

    @Test
    void aSpentBudgetSurvivesSnapshotAndRestore() throws Exception {
        BudgetSettings budget = budget(3, BudgetTime.PROCESSING, OverBudgetAction.FALLBACK);
        harness = open(budget, rocksDb(), null);
        harness.setProcessingTime(5_000);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.processElement(request("u-1", "s-1"), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 6_000);
        harness.close();

        harness = open(budget, rocksDb(), snapshot);
        harness.setProcessingTime(7_000);
        harness.processElement(request("u-1", "s-1"), 0);
        harness.processElement(request("u-1", "s-1"), 0);

        assertThat(admittedIds()).containsExactly("e-2");
        assertThat(overBudget()).extracting(r -> r.request.eventId).containsExactly("e-3");
        // The restored timer still ends the window that opened at 5 s.
        harness.setProcessingTime(5_000 + WINDOW.toMillis());
        harness.processElement(request("u-1", "s-1"), 0);
        assertThat(admittedIds()).containsExactly("e-2", "e-4");
    }

    @Test
    void eventTimeWindowsFollowTheEventsAndWatermarks() throws Exception {
        harness =
                open(
                        budget(1, BudgetTime.EVENT, OverBudgetAction.FALLBACK),
                        new HashMapStateBackend(),
                        null);
        harness.processElement(request("u-1", "s-1"), 100_000);
        harness.processElement(request("u-1", "s-1"), 100_000 + WINDOW.toMillis() - 1);
        harness.processElement(request("u-1", "s-1"), 100_000 + WINDOW.toMillis());
        assertThat(admittedIds()).containsExactly("e-0", "e-2");
        assertThat(overBudget()).hasSize(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(new Watermark(100_000 + 2 * WINDOW.toMillis()));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void eventsWithoutAUserAreBudgetedPerSession() throws Exception {
        harness =
                open(budget(1, BudgetTime.PROCESSING, OverBudgetAction.FALLBACK), rocksDb(), null);
        harness.processElement(request(null, "s-1"), 0);
        harness.processElement(request(" ", "s-1"), 0);
        harness.processElement(request(null, "s-2"), 0);

        assertThat(admittedIds()).containsExactly("e-0", "e-2");
        assertThat(new BudgetKey().getKey(request(null, "s-9"))).isEqualTo("session:s-9");
        assertThat(new BudgetKey().getKey(request("u-9", "s-9"))).isEqualTo("user:u-9");
    }

    @Test
    void metricsCountRefusalsAndUsagePerWindowWithoutAMetricPerUser() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        InterceptingTaskMetricGroup task =
                new InterceptingTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(
                            OperatorID id, String name, Map<String, String> variables) {
                        return metrics;
                    }
                };
        environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ComputeBudget(
                                        budget(
                                                2,
                                                BudgetTime.PROCESSING,
                                                OverBudgetAction.FALLBACK))),
                        new BudgetKey(),
                        Types.STRING,
                        environment);
        harness.open();
        for (int user = 0; user < 50; user++) {
            harness.processElement(request("u-" + user, "s-" + user), 0);
        }
        harness.processElement(request("u-0", "s-0"), 0);
        harness.processElement(request("u-0", "s-0"), 0);

        assertThat(((Counter) metrics.get("budgetedInferences")).getCount()).isEqualTo(51);
        assertThat(((Counter) metrics.get("overBudgetEvents")).getCount()).isEqualTo(1);
        Histogram usage = (Histogram) metrics.get("budgetUsagePerWindow");
        assertThat(usage.getCount()).as("recorded when windows close").isZero();

        harness.setProcessingTime(WINDOW.toMillis());
        assertThat(usage.getCount()).isEqualTo(50);
        assertThat(usage.getStatistics().getMax()).isEqualTo(2);
        assertThat(usage.getStatistics().getMin()).isEqualTo(1);
        assertThat(metrics.get("budgetUsagePerWindow_u-0")).isNull();
    }

    @Test
    void refusesBudgetsThatAreOff() {
        assertThatThrownBy(() -> new ComputeBudget(BudgetSettings.disabled()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------------------------------

    private static BudgetSettings budget(int max, BudgetTime time, OverBudgetAction action) {
        return new BudgetSettings(max, WINDOW, time, action, 0.25f);
    }

    private static StateBackend rocksDb() {
        return new EmbeddedRocksDBStateBackend();
    }

    private static KeyedOneInputStreamOperatorTestHarness<
                    String, InferenceRequest, InferenceRequest>
            open(BudgetSettings budget, StateBackend backend, OperatorSubtaskState restoreFrom)
                    throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ComputeBudget(budget)),
                        new BudgetKey(),
                        Types.STRING);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private InferenceRequest request(String user, String session) {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId("e-" + nextId++)
                        .setSessionId(session)
                        .setUserId(user)
                        .setEventType("click")
                        .setEventTime(Instant.ofEpochMilli(1_000))
                        .setFeatures(List.of(1f, 2f, 3f, 4f, 5f, 6f))
                        .build();
        return InferenceRequest.of(event, new ModelInput("fraud-mlp", "2", new float[24]), 1, 3);
    }

    private List<String> admittedIds() {
        return harness.extractOutputValues().stream().map(r -> r.eventId).toList();
    }

    private List<InferenceResult> overBudget() {
        var side = harness.getSideOutput(ComputeBudget.OVER_BUDGET);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }
}
