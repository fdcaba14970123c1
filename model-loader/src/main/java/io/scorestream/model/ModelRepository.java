package io.scorestream.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The local {@link ModelCatalog}: a folder of models laid out as {@code
 * <root>/<model>/<version>/manifest.json}, loaded in place.
 *
 * <p>Versions made only of digits are release versions and compare numerically ({@code 2 < 10});
 * any other version name sorts before all numeric ones, lexically among themselves, so {@link
 * #latestVersion} is the highest numeric version whenever there is one.
 *
 * <p>The folder is listed on every call, so versions published after start-up are seen.
 */
public final class ModelRepository implements ModelCatalog {

    /** The file that makes a folder a model version. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** Numeric versions numerically, after all non-numeric ones, which compare lexically. */
    public static final Comparator<String> VERSION_ORDER =
            Comparator.comparing(ModelRepository::isNumeric)
                    .thenComparing(
                            (a, b) ->
                                    isNumeric(a)
                                            ? new BigInteger(a).compareTo(new BigInteger(b))
                                            : 0)
                    .thenComparing(Comparator.naturalOrder());

    private final Path root;

    private ModelRepository(Path root) {
        this.root = root;
    }

    /**
     * Opens the repository at {@code root}.
     *
     * @throws ModelNotFoundException when {@code root} is not an existing directory
     */
    public static ModelRepository at(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new ModelNotFoundException(
                    "model repository root "
                            + root.toAbsolutePath()
                            + (Files.exists(root) ? " is not a directory" : " does not exist"));
        }
        return new ModelRepository(root);
    }

    public Path root() {
        return root;
    }

    /** Sorted names of the sub-folders that hold at least one version with a manifest. */
    @Override
    public List<String> models() {
        List<String> models = new ArrayList<>();
        for (Path dir : subdirectories(root)) {
            if (!versionsIn(dir).isEmpty()) {
                models.add(dir.getFileName().toString());
            }
        }
        models.sort(Comparator.naturalOrder());
        return List.copyOf(models);
    }

    /**
     * The versions of {@code model} that have a manifest, oldest first (see {@link
     * #VERSION_ORDER}).
     *
     * @throws ModelNotFoundException listing the available models when there is no such model
     */
    @Override
    public List<String> versions(String model) {
        List<String> versions = versionsIn(modelDirectory(model));
        if (versions.isEmpty()) {
            throw unknownModel(model);
        }
        return versions;
    }

    /**
     * Reads and validates one version's manifest, and checks it names this model and version. Does
     * not verify checksums: {@link ModelLoader} does that before loading.
     *
     * @throws ModelNotFoundException listing what exists when the model or version does not
     * @throws ModelIntegrityException when the manifest is invalid or names another model/version
     */
    @Override
    public ModelLocation resolve(String model, String version) {
        List<String> versions = versions(model);
        if (!isPlainName(version) || !versions.contains(version)) {
            throw new ModelNotFoundException(
                    "model '"
                            + model
                            + "' has no version '"
                            + version
                            + "' in "
                            + root.toAbsolutePath()
                            + "; available versions: "
                            + versions);
        }
        Path directory = modelDirectory(model).resolve(version);
        Path manifestFile = directory.resolve(MANIFEST_FILE);
        ModelManifest manifest = ManifestReader.read(manifestFile);
        checkNames(manifest, model, version, manifestFile.toString());
        return new ModelLocation(directory, manifest);
    }

    /**
     * Checks that a manifest names the model and version folders it lives in.
     *
     * @param source how messages name the manifest file
     * @throws ModelIntegrityException when it names another model or version
     */
    static void checkNames(ModelManifest manifest, String model, String version, String source) {
        if (!manifest.name().equals(model)) {
            throw new ModelIntegrityException(
                    "manifest "
                            + source
                            + " declares name '"
                            + manifest.name()
                            + "' but lives in model folder '"
                            + model
                            + "'");
        }
        if (!manifest.version().equals(version)) {
            throw new ModelIntegrityException(
                    "manifest "
                            + source
                            + " declares version '"
                            + manifest.version()
                            + "' but lives in version folder '"
                            + version
                            + "'");
        }
    }

    @Override
    public String toString() {
        return "ModelRepository[" + root + "]";
    }

    private Path modelDirectory(String model) {
        if (!isPlainName(model)) {
            throw unknownModel(model);
        }
        return root.resolve(model);
    }

    private ModelNotFoundException unknownModel(String model) {
        return new ModelNotFoundException(
                "no model '"
                        + model
                        + "' in "
                        + root.toAbsolutePath()
                        + "; available models: "
                        + models());
    }

    private static List<String> versionsIn(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        List<String> versions = new ArrayList<>();
        for (Path dir : subdirectories(modelDir)) {
            if (Files.isRegularFile(dir.resolve(MANIFEST_FILE))) {
                versions.add(dir.getFileName().toString());
            }
        }
        versions.sort(VERSION_ORDER);
        return List.copyOf(versions);
    }

    private static List<Path> subdirectories(Path dir) {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().startsWith(".")) {
                    result.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return result;
    }

    static boolean isNumeric(String version) {
        return !version.isEmpty() && version.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A single, non-hidden path segment: no way to step outside the repository. */
    static boolean isPlainName(String name) {
        return name != null
                && !name.isBlank()
                && !name.startsWith(".")
                && name.indexOf('/') < 0
                && name.indexOf('\\') < 0
                && name.indexOf('\0') < 0;
    }
}
