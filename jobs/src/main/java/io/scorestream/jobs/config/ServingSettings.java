package io.scorestream.jobs.config;

import io.scorestream.operators.routing.Cascade;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which models serve which events ({@code scorestream.routing.*}, {@code scorestream.cascade.*},
 * {@code scorestream.fallback.models}), by name; versions are resolved against the repository when
 * the job is built.
 *
 * @param modelByEventType routing rules, event type to model
 * @param versionByModel versions of the models other than the main one; others serve their latest
 * @param cascade escalation from a small to a large model, or null
 * @param fallbackByModel fallback model of a model
 */
public record ServingSettings(
        Map<String, String> modelByEventType,
        Map<String, String> versionByModel,
        Cascade cascade,
        Map<String, String> fallbackByModel) {

    public ServingSettings {
        modelByEventType = Map.copyOf(modelByEventType);
        versionByModel = Map.copyOf(versionByModel);
        fallbackByModel = Map.copyOf(fallbackByModel);
    }

    /** Every event to the main model: no routing, cascade or fallback model. */
    public static ServingSettings singleModel() {
        return new ServingSettings(Map.of(), Map.of(), null, Map.of());
    }

    /** The models these settings name besides {@code mainModel}, in a stable order. */
    public Set<String> modelsBesides(String mainModel) {
        Set<String> models = new LinkedHashSet<>(modelByEventType.values());
        if (cascade != null) {
            models.add(cascade.from());
            models.add(cascade.to());
        }
        models.addAll(fallbackByModel.keySet());
        models.addAll(fallbackByModel.values());
        models.remove(mainModel);
        return models;
    }
}
