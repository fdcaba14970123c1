package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The broadcast state that holds the rollout in force per model: every operator that routes or
 * judges by rollout reads the control stream broadcast with {@link #DESCRIPTOR}. Being operator
 * state, it is part of every checkpoint and savepoint, so a restored job serves the same versions
 * it served when the snapshot was taken.
 */
public final class RolloutState {

    /** Model name → the rollout in force for it. The state's name never changes: savepoints. */
    public static final MapStateDescriptor<String, ModelRollout> DESCRIPTOR =
            new MapStateDescriptor<>(
                    "model-rollouts", Types.STRING, new AvroTypeInfo<>(ModelRollout.class));

    private RolloutState() {}

    /** The rollout in force for {@code model}, or null when none was ever received. */
    public static ModelRollout inForce(
            ReadOnlyBroadcastState<String, ModelRollout> state, String model) throws Exception {
        return state.get(model);
    }
}
