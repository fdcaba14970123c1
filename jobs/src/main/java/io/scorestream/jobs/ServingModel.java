package io.scorestream.jobs;

import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.model.ModelCatalog;
import io.scorestream.model.ModelException;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.registry.ModelCatalogs;
import java.util.List;

/**
 * Finds the manifest of the configured model version, once, when the job is built. From a remote
 * repository only the manifest is read; the TaskManagers fetch and verify the model files.
 */
final class ServingModel {

    static final String LATEST = "latest";

    private ServingModel() {}

    static ModelManifest resolve(ScoringSettings settings) {
        try {
            ModelCatalog repository =
                    ModelCatalogs.open(
                            settings.inference().modelRepository(),
                            settings.inference().registry().cacheDirectory());
            String version =
                    LATEST.equals(settings.modelVersion())
                            ? repository.latestVersion(settings.modelName())
                            : settings.modelVersion();
            return repository.manifest(settings.modelName(), version);
        } catch (ModelException e) {
            throw new InvalidSettingsException(
                    List.of(
                            ScoringOptions.MODEL_NAME.key()
                                    + " / "
                                    + ScoringOptions.MODEL_VERSION.key()
                                    + ": "
                                    + e.getMessage()));
        }
    }
}
