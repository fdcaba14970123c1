package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import java.io.Serializable;
import java.util.Optional;

/**
 * Whether the job can serve the versions a rollout names. The session featurizer refuses a rollout
 * it cannot serve (a version missing, corrupt, or reading other events), and the rollout in force
 * keeps serving; the {@link RolloutGuard} asks the same question of every control record, so it
 * keeps watching the rollout that really serves rather than one the featurizer refused.
 */
@FunctionalInterface
public interface RolloutAdmission extends Serializable {

    /** Why the versions {@code rollout} names cannot serve, or empty when they can. */
    Optional<String> refusal(ModelRollout rollout);

    /**
     * Gets the versions of an admitted {@code rollout} ready, just before it comes in force (e.g.
     * loads them, so that traffic finds them loaded). Nothing by default.
     */
    default void prepare(ModelRollout rollout) throws InterruptedException {}

    /** Admits every rollout: for a guard that watches predictions of no model repository. */
    static RolloutAdmission everything() {
        return rollout -> Optional.empty();
    }
}
