package io.scorestream.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model version folder together with its validated manifest.
 *
 * @param directory the version folder holding the manifest and the files it lists
 * @param manifest the manifest read from {@code directory/manifest.json}
 */
public record ModelLocation(Path directory, ModelManifest manifest) {

    public ModelLocation {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(manifest, "manifest");
    }

    /** This version loaded with another engine it ships an artifact for (see the manifest). */
    public ModelLocation withEngine(String engine) {
        return new ModelLocation(directory, manifest.withEngine(engine));
    }

    /** The primary artifact the manifest's engine loads. */
    public Path artifactPath() {
        return directory.resolve(manifest.artifact());
    }
}
