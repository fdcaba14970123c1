package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.Prediction;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A {@link RolloutGuard} harness whose operator registers its metrics where the test can read them
 * (Flink's {@code KeyedBroadcastOperatorTestHarness} takes no metric group).
 */
final class MeteredGuardHarness extends AbstractStreamOperatorTestHarness<ModelRollout> {

    private final InterceptingOperatorMetricGroup metrics;
    private final MockEnvironment environment;
    private final CoBroadcastWithKeyedOperator<String, RoutedCall, ModelRollout, ModelRollout>
            guard;

    private MeteredGuardHarness(
            CoBroadcastWithKeyedOperator<String, RoutedCall, ModelRollout, ModelRollout> guard,
            MockEnvironment environment,
            InterceptingOperatorMetricGroup metrics)
            throws Exception {
        super(guard, environment);
        this.guard = guard;
        this.environment = environment;
        this.metrics = metrics;
        config.setStatePartitioner(0, (RoutedCall call) -> call.model());
        config.setStateKeySerializer(
                Types.STRING.createSerializer(executionConfig.getSerializerConfig()));
        config.serializeAllConfigs();
    }

    static MeteredGuardHarness open(RollbackPolicy policy) throws Exception {
        return open(policy, RolloutAdmission.everything());
    }

    static MeteredGuardHarness open(RollbackPolicy policy, RolloutAdmission admission)
            throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        InterceptingTaskMetricGroup task =
                new InterceptingTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(
                            OperatorID id, String name, Map<String, String> variables) {
                        return metrics;
                    }
                };
        MockEnvironment environment =
                new MockEnvironmentBuilder().setMetricGroup(task).setMaxParallelism(128).build();
        MeteredGuardHarness harness =
                new MeteredGuardHarness(
                        new CoBroadcastWithKeyedOperator<>(
                                new RolloutGuard(policy, admission),
                                List.of(RolloutState.DESCRIPTOR)),
                        environment,
                        metrics);
        harness.open();
        return harness;
    }

    void prediction(Prediction prediction) throws Exception {
        var call = RoutedCall.of(prediction);
        if (call.isEmpty()) {
            return; // over-budget predictions never reach the guard
        }
        StreamRecord<RoutedCall> record = new StreamRecord<>(call.get());
        guard.setKeyContextElement1(record);
        guard.processElement1(record);
    }

    void control(ModelRollout rollout) throws Exception {
        guard.processElement2(new StreamRecord<>(rollout));
    }

    Metric metric(String name) {
        return metrics.get(name);
    }

    @Override
    public void close() throws Exception {
        super.close();
        environment.close();
    }
}
