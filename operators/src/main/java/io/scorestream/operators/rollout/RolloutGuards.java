package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.Prediction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Puts a {@link RolloutGuard} behind the predictions: each prediction becomes its {@link
 * RoutedCall} where it is made, and only that goes to the guard, keyed by the routed model.
 */
public final class RolloutGuards {

    /** Stable operator id of the guard: savepoints keep its windows and decisions under it. */
    public static final String UID = "rollout-guard";

    private RolloutGuards() {}

    /**
     * The guard's rollback records, to be written to the control topic, taking every valid control
     * record as the rollout in force (for predictions of no model repository).
     *
     * @param predictions every prediction the job emits
     * @param control the control records, broadcast with {@link RolloutState#DESCRIPTOR}
     * @param policy when to roll back; a disabled policy keeps the operator (so savepoints stay
     *     compatible) but it never rolls back
     */
    public static DataStream<ModelRollout> apply(
            DataStream<Prediction> predictions,
            BroadcastStream<ModelRollout> control,
            RollbackPolicy policy) {
        return apply(predictions, control, policy, RolloutAdmission.everything());
    }

    /**
     * The guard's rollback records, to be written to the control topic.
     *
     * @param predictions every prediction the job emits
     * @param control the control records, broadcast with {@link RolloutState#DESCRIPTOR}
     * @param policy when to roll back; a disabled policy keeps the operator (so savepoints stay
     *     compatible) but it never rolls back
     * @param admission the rollouts the job can serve, judged as the routing step judges them: a
     *     rollout it refuses does not replace the one the guard watches
     */
    public static DataStream<ModelRollout> apply(
            DataStream<Prediction> predictions,
            BroadcastStream<ModelRollout> control,
            RollbackPolicy policy,
            RolloutAdmission admission) {
        return predictions
                .flatMap(new RoutedCalls())
                .name("Routed calls")
                .uid(UID + "-routed-calls")
                .keyBy(RoutedCall::model)
                .connect(control)
                .process(
                        new RolloutGuard(policy, admission), new AvroTypeInfo<>(ModelRollout.class))
                .name("Rollout guard")
                .uid(UID);
    }
}
