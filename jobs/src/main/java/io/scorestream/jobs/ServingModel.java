package io.scorestream.jobs;

import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.config.ServingSettings;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.ModelCatalog;
import io.scorestream.model.ModelException;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.registry.ModelCatalogs;
import io.scorestream.operators.routing.Cascade;
import io.scorestream.operators.routing.ServingPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the manifests of the configured model versions, once, when the job is built, so every
 * subtask serves the same versions: the main model's and those routing, cascade and fallback
 * settings name. From a remote repository only the manifests are read; the TaskManagers fetch and
 * verify the model files.
 *
 * <p>Every version must ship an artifact for {@code scorestream.model.engine}, and the two models
 * of a cascade or of a fallback must predict the same thing (their manifests' {@code label}): a
 * fraud score escalated to a purchase-intent model would come back as a "fraud" prediction that
 * means something else.
 */
final class ServingModel {

    static final String LATEST = "latest";

    private ServingModel() {}

    /** The main model's manifest ({@code scorestream.model.name} / {@code .version}). */
    static ModelManifest resolve(ScoringSettings settings) {
        ModelManifest manifest;
        try {
            manifest = resolve(repository(settings), settings.modelName(), settings.modelVersion());
        } catch (ModelException e) {
            throw new InvalidSettingsException(
                    List.of(
                            ScoringOptions.MODEL_NAME.key()
                                    + " / "
                                    + ScoringOptions.MODEL_VERSION.key()
                                    + ": "
                                    + e.getMessage()));
        }
        String refusal = engine(settings).refusal(manifest);
        if (refusal != null) {
            throw new InvalidSettingsException(List.of(refusal));
        }
        return manifest;
    }

    /**
     * The serving plan: the main model and every model the routing, cascade and fallback settings
     * name, each at its configured (or latest) version. All must read the same events and ship an
     * artifact for the configured engine, and cascade and fallback pairs must predict the same
     * label; anything else is an invalid setting.
     */
    static ServingPlan plan(ScoringSettings settings, ModelManifest main) {
        ServingSettings serving = settings.serving();
        Map<String, ModelManifest> manifests = new HashMap<>();
        manifests.put(main.name(), main);
        List<String> problems = new ArrayList<>();
        ModelCatalog repository = repository(settings);
        EngineChoice engine = engine(settings);
        for (String model : serving.modelsBesides(main.name())) {
            String version = serving.versionByModel().getOrDefault(model, LATEST);
            try {
                ModelManifest manifest = resolve(repository, model, version);
                if (!manifest.featureSpec().eventTypes().equals(main.featureSpec().eventTypes())
                        || !manifest.featureSpec()
                                .eventFeatures()
                                .equals(main.featureSpec().eventFeatures())) {
                    problems.add(
                            servingKeys()
                                    + ": model "
                                    + model
                                    + " reads other events than "
                                    + main.name()
                                    + " (event types or features differ); one job serves models"
                                    + " of one event schema");
                }
                String refusal = engine.refusal(manifest);
                if (refusal != null) {
                    problems.add(refusal);
                }
                manifests.put(model, manifest);
            } catch (ModelException e) {
                problems.add(servingKeys() + ": " + e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            checkSameTask(serving, manifests, problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
        Map<String, ModelTarget> targets = new HashMap<>();
        manifests.forEach((model, manifest) -> targets.put(model, ModelTarget.of(manifest)));
        return new ServingPlan(
                main.name(),
                serving.modelByEventType(),
                targets,
                serving.cascade(),
                serving.fallbackByModel());
    }

    /** A cascade escalates, and a fallback answers, only within one task: one manifest label. */
    private static void checkSameTask(
            ServingSettings serving, Map<String, ModelManifest> manifests, List<String> problems) {
        Cascade cascade = serving.cascade();
        if (cascade != null) {
            ModelManifest small = manifests.get(cascade.from());
            ModelManifest large = manifests.get(cascade.to());
            if (!small.label().equals(large.label())) {
                problems.add(
                        ScoringOptions.CASCADE_FROM.key()
                                + " / "
                                + ScoringOptions.CASCADE_TO.key()
                                + ": "
                                + mismatch(small, "escalates to", large)
                                + "; a cascade needs two models of one task");
            }
        }
        serving.fallbackByModel()
                .forEach(
                        (model, fallback) -> {
                            ModelManifest of = manifests.get(model);
                            ModelManifest standIn = manifests.get(fallback);
                            if (!of.label().equals(standIn.label())) {
                                problems.add(
                                        ScoringOptions.FALLBACK_MODELS.key()
                                                + ": "
                                                + mismatch(of, "falls back to", standIn)
                                                + "; a fallback model must predict what its"
                                                + " model predicts");
                            }
                        });
    }

    private static String mismatch(ModelManifest first, String verb, ModelManifest second) {
        return first.displayName()
                + " (label '"
                + first.label()
                + "') "
                + verb
                + " "
                + second.displayName()
                + " (label '"
                + second.label()
                + "')";
    }

    /**
     * The models whose version the settings name ({@code scorestream.model.version}, {@code
     * scorestream.routing.versions}) rather than leave at {@code latest}: a job restored from a
     * snapshot serves these versions, and the versions pinned in its state for the others.
     */
    static Set<String> configuredVersions(ScoringSettings settings) {
        Set<String> configured = new HashSet<>();
        if (!LATEST.equals(settings.modelVersion())) {
            configured.add(settings.modelName());
        }
        settings.serving()
                .versionByModel()
                .forEach(
                        (model, version) -> {
                            if (!LATEST.equals(version)) {
                                configured.add(model);
                            }
                        });
        return Set.copyOf(configured);
    }

    private static String servingKeys() {
        return ScoringOptions.ROUTING_EVENT_TYPES.key()
                + " / "
                + ScoringOptions.ROUTING_VERSIONS.key()
                + " / "
                + ScoringOptions.CASCADE_FROM.key()
                + " / "
                + ScoringOptions.FALLBACK_MODELS.key();
    }

    private static EngineChoice engine(ScoringSettings settings) {
        return settings.inference().registry().engine();
    }

    private static ModelCatalog repository(ScoringSettings settings) {
        return ModelCatalogs.open(
                settings.inference().modelRepository(),
                settings.inference().registry().cacheDirectory());
    }

    private static ModelManifest resolve(ModelCatalog repository, String model, String version) {
        String resolved = LATEST.equals(version) ? repository.latestVersion(model) : version;
        return repository.manifest(model, resolved);
    }
}
