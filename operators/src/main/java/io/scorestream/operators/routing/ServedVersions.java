package io.scorestream.operators.routing;

import io.scorestream.model.ModelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version each model serves while no rollout is in force, pinned in broadcast state so that
 * checkpoints and savepoints hold it. The serving plan resolves {@code latest} when the job is
 * built; without the pin, a job restored after a newer version was published would serve that
 * version, silently. With it, the served version changes only through a rollout (which overrides
 * the pin while in force) or through a version the job's settings name explicitly, and every change
 * is logged.
 */
public final class ServedVersions {
    private static final Logger LOG = LoggerFactory.getLogger(ServedVersions.class);

    /** Model name → pinned version. The state's name never changes: savepoints. */
    public static final MapStateDescriptor<String, String> DESCRIPTOR =
            new MapStateDescriptor<>("served-versions", Types.STRING, Types.STRING);

    private ServedVersions() {}

    /**
     * Reconciles the pins restored from a snapshot (none on a first start) with the plan, and
     * writes the result back to {@code pins}. Per model of the plan: without a pin, the plan's
     * version is pinned; with a pin, the pin stays unless the settings name the model's version
     * ({@code configured}) or the pinned version can no longer serve (then the plan's version
     * serves). Pins of models the plan no longer names are dropped.
     *
     * @param pins the operator's broadcast state ({@link #DESCRIPTOR})
     * @param versions the plan, and the admission of versions outside it
     * @param configured models whose version the job's settings name (not {@code latest})
     * @param operator the operator's name, for the log lines
     * @param log whether this instance logs (one subtask is enough: every one does the same)
     * @return model → version served while no rollout is in force
     */
    public static Map<String, String> reconcile(
            BroadcastState<String, String> pins,
            RoutableVersions versions,
            Set<String> configured,
            String operator,
            boolean log)
            throws Exception {
        ServingPlan plan = versions.plan();
        Map<String, String> served = new HashMap<>();
        for (String model : plan.targets().keySet()) {
            String planned = plan.target(model).version();
            String pinned = pins.get(model);
            String serving = pinned == null ? planned : pinned;
            if (pinned != null && !pinned.equals(planned)) {
                if (configured.contains(model)) {
                    serving = planned;
                    if (log) {
                        LOG.warn(
                                "{}: the version of {} served while no rollout is in force changes"
                                        + " from {} (restored state) to {} (the job's settings)",
                                operator,
                                model,
                                pinned,
                                planned);
                    }
                } else {
                    try {
                        versions.admit(model, pinned);
                        if (log) {
                            LOG.info(
                                    "{}: {} keeps serving version {} (restored state); {} is the"
                                            + " latest in the repository: roll it out, or name its"
                                            + " version in the job's settings, to serve it",
                                    operator,
                                    model,
                                    pinned,
                                    planned);
                        }
                    } catch (ModelException | IllegalArgumentException gone) {
                        serving = planned;
                        if (log) {
                            LOG.warn(
                                    "{}: {} version {} (restored state) cannot serve, serving {}"
                                            + " instead: {}",
                                    operator,
                                    model,
                                    pinned,
                                    planned,
                                    gone.getMessage());
                        }
                    }
                }
            } else if (pinned == null && log) {
                LOG.info(
                        "{}: {} serves version {}, pinned in state: a restored job keeps serving"
                                + " it",
                        operator,
                        model,
                        planned);
            }
            pins.put(model, serving);
            served.put(model, serving);
        }
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, String> pin : pins.entries()) {
            if (!plan.targets().containsKey(pin.getKey())) {
                dropped.add(pin.getKey());
            }
        }
        for (String model : dropped) {
            pins.remove(model);
        }
        return Map.copyOf(served);
    }
}
