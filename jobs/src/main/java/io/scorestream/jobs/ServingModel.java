package io.scorestream.jobs;

import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.model.ModelException;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import java.nio.file.Path;
import java.util.List;

/** Finds the manifest of the configured model version, once, when the job is built. */
final class ServingModel {

    static final String LATEST = "latest";

    private ServingModel() {}

    static ModelManifest resolve(ScoringSettings settings) {
        try {
            ModelRepository repository =
                    ModelRepository.at(Path.of(settings.inference().modelRepository()));
            String version =
                    LATEST.equals(settings.modelVersion())
                            ? repository.latestVersion(settings.modelName())
                            : settings.modelVersion();
            return repository.resolve(settings.modelName(), version).manifest();
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
