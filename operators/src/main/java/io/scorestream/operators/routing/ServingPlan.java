package io.scorestream.operators.routing;

import io.scorestream.operators.features.ModelTarget;
import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which models an event may meet, fixed when the job is built: the model its event type is routed
 * to, the cascade's large model when that one is the cascade's small model, and the fallback model
 * of the routed one. Versions are the defaults each model serves when no rollout says otherwise.
 *
 * @param defaultModel the model of event types without a routing rule
 * @param modelByEventType routing rules: event type to model name
 * @param targets every model the plan names, at its default version
 * @param cascade escalation from a small to a large model, or null
 * @param fallbackByModel the model to ask when a model times out, fails or its breaker is open
 */
public record ServingPlan(
        String defaultModel,
        Map<String, String> modelByEventType,
        Map<String, ModelTarget> targets,
        Cascade cascade,
        Map<String, String> fallbackByModel)
        implements Serializable {

    public ServingPlan {
        Objects.requireNonNull(defaultModel, "defaultModel");
        modelByEventType = Map.copyOf(modelByEventType);
        targets = Map.copyOf(targets);
        fallbackByModel = Map.copyOf(fallbackByModel);
        Set<String> named = new LinkedHashSet<>();
        named.add(defaultModel);
        named.addAll(modelByEventType.values());
        named.addAll(fallbackByModel.keySet());
        named.addAll(fallbackByModel.values());
        if (cascade != null) {
            named.add(cascade.from());
            named.add(cascade.to());
        }
        for (String model : named) {
            if (!targets.containsKey(model)) {
                throw new IllegalArgumentException(
                        "the serving plan names model " + model + " but has no version of it");
            }
        }
        fallbackByModel.forEach(
                (model, fallback) -> {
                    if (model.equals(fallback)) {
                        throw new IllegalArgumentException(
                                "model " + model + " cannot be its own fallback");
                    }
                });
    }

    /** A plan that sends every event to one model version: no routing, cascade or fallback. */
    public static ServingPlan single(ModelTarget target) {
        return new ServingPlan(
                target.name(), Map.of(), Map.of(target.name(), target), null, Map.of());
    }

    /** The model events of {@code eventType} are routed to. */
    public String modelFor(String eventType) {
        return modelByEventType.getOrDefault(eventType, defaultModel);
    }

    /**
     * The large model to escalate uncertain scores of {@code model} to, if it is the cascade's
     * small one.
     */
    public Optional<Cascade> cascadeFrom(String model) {
        return cascade != null && cascade.from().equals(model)
                ? Optional.of(cascade)
                : Optional.empty();
    }

    /** The model to ask when {@code model} has no answer. */
    public Optional<String> fallbackFor(String model) {
        return Optional.ofNullable(fallbackByModel.get(model));
    }

    /**
     * The models whose answers may stand for {@code model}'s, or its for theirs: its cascade
     * partner, its fallback model and the models it is the fallback of. They must predict what it
     * predicts (the same manifest label), whatever version a rollout brings.
     */
    public Set<String> partnersOf(String model) {
        Set<String> partners = new LinkedHashSet<>();
        if (cascade != null && cascade.from().equals(model)) {
            partners.add(cascade.to());
        }
        if (cascade != null && cascade.to().equals(model)) {
            partners.add(cascade.from());
        }
        fallbackByModel.forEach(
                (of, fallback) -> {
                    if (of.equals(model)) {
                        partners.add(fallback);
                    }
                    if (fallback.equals(model)) {
                        partners.add(of);
                    }
                });
        return partners;
    }

    /** The default version of {@code model}. */
    /** The longest session history any model of this plan reads (0 when none reads one). */
    public int historyNeeded() {
        return targets.values().stream().mapToInt(ModelTarget::historyNeeded).max().orElse(0);
    }

    public ModelTarget target(String model) {
        ModelTarget target = targets.get(model);
        if (target == null) {
            throw new IllegalArgumentException("the serving plan has no model " + model);
        }
        return target;
    }
}
