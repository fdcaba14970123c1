package io.scorestream.model;

import java.util.List;

/**
 * A model repository laid out as {@code <root>/<model>/<version>/manifest.json}, wherever it lives:
 * a local folder ({@link ModelRepository}) or a remote store served from a local cache ({@link
 * CachingModelRepository}). Callers resolve a version to a local {@link ModelLocation} and load it
 * with {@link ModelLoader}, without knowing which kind they hold.
 *
 * <p>Versions order as {@link ModelRepository#VERSION_ORDER} says: numeric ones numerically, after
 * all others.
 */
public interface ModelCatalog {

    /** Sorted names of the models that have at least one version with a manifest. */
    List<String> models();

    /**
     * The versions of {@code model} that have a manifest, oldest first.
     *
     * @throws ModelNotFoundException listing the available models when there is no such model
     */
    List<String> versions(String model);

    /**
     * The newest version of {@code model}: the last of {@link #versions}.
     *
     * @throws ModelNotFoundException listing the available models when there is no such model
     */
    default String latestVersion(String model) {
        List<String> versions = versions(model);
        return versions.get(versions.size() - 1);
    }

    /**
     * A local folder holding the version, with its validated manifest that names this model and
     * version.
     *
     * @throws ModelNotFoundException listing what exists when the model or version does not
     * @throws ModelIntegrityException when the manifest is invalid or names another model/version,
     *     or (for a repository that copies versions) a file is missing or its checksum differs
     */
    ModelLocation resolve(String model, String version);

    /**
     * Only the validated manifest of a version, for callers that need to know the model but not to
     * load it (the job, when it is built). The default resolves the version.
     *
     * @throws ModelNotFoundException listing what exists when the model or version does not
     * @throws ModelIntegrityException when the manifest is invalid or names another model/version
     */
    default ModelManifest manifest(String model, String version) {
        return resolve(model, version).manifest();
    }

    /** {@link #resolve} of the {@link #latestVersion}. */
    default ModelLocation resolveLatest(String model) {
        return resolve(model, latestVersion(model));
    }
}
