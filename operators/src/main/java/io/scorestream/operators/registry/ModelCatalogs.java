package io.scorestream.operators.registry;

import io.scorestream.model.CachingModelRepository;
import io.scorestream.model.ModelCatalog;
import io.scorestream.model.ModelNotFoundException;
import io.scorestream.model.ModelRepository;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.core.fs.FileSystem;

/**
 * Opens the model repository that {@code scorestream.model.repository} names: a plain path is a
 * local folder, loaded in place ({@link ModelRepository}); a URI with a scheme ({@code file:},
 * {@code s3:}, {@code hdfs:}, ...) is read through Flink's filesystems and served from a local
 * cache ({@link CachingModelRepository} over {@link FlinkRepositoryFiles}).
 *
 * <p>Each remote repository gets its own folder inside the cache folder, named after its URI, so
 * that two repositories holding the same model and version names never share a cached copy.
 */
public final class ModelCatalogs {

    /** The cache folder's name under {@code java.io.tmpdir} when none is configured. */
    public static final String DEFAULT_CACHE_FOLDER = "scorestream-models";

    private ModelCatalogs() {}

    /**
     * The repository at {@code repository}, caching remote versions under {@code cacheDir}.
     *
     * @throws ModelNotFoundException when a plain path is not a folder, or no Flink filesystem can
     *     read the URI
     */
    public static ModelCatalog open(String repository, Path cacheDir) {
        Optional<URI> uri = remoteUri(repository);
        if (uri.isEmpty()) {
            return ModelRepository.at(Path.of(repository));
        }
        FlinkRepositoryFiles files;
        try {
            files = FlinkRepositoryFiles.at(uri.get());
        } catch (IOException e) {
            throw new ModelNotFoundException(
                    "cannot read the model repository " + repository + ": " + e.getMessage(), e);
        }
        return new CachingModelRepository(files, cacheDir.resolve(cacheFolderOf(uri.get())));
    }

    /**
     * What is wrong with a repository setting, if anything: a plain path must be an existing
     * folder; a URI must have a scheme that one of Flink's filesystems (built in or a plugin)
     * serves. The store itself is not contacted.
     */
    public static Optional<String> problem(String repository) {
        Optional<URI> uri = remoteUri(repository);
        if (uri.isEmpty()) {
            Path path = Path.of(repository);
            return Files.isDirectory(path)
                    ? Optional.empty()
                    : Optional.of("no model repository folder at " + path.toAbsolutePath());
        }
        try {
            FileSystem.get(uri.get());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(
                    "no Flink filesystem can read "
                            + repository
                            + " (scheme '"
                            + uri.get().getScheme()
                            + "'): "
                            + e.getMessage());
        }
    }

    /** A local path made absolute and normal; a URI as it is. */
    public static String normalize(String repository) {
        return remoteUri(repository).isPresent()
                ? repository
                : Path.of(repository).toAbsolutePath().normalize().toString();
    }

    /** The cache folder a setting names; blank means {@value #DEFAULT_CACHE_FOLDER} in tmpdir. */
    public static Path cacheDirectory(String setting) {
        return setting == null || setting.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_CACHE_FOLDER)
                : Path.of(setting);
    }

    /**
     * The URI of a remote repository, or empty for a plain path. A scheme needs two letters at
     * least, so a Windows drive ({@code C:\models}) stays a path.
     */
    static Optional<URI> remoteUri(String repository) {
        if (repository == null || !repository.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new URI(repository));
        } catch (URISyntaxException e) {
            return Optional.empty(); // e.g. a path with a colon and spaces
        }
    }

    /** {@code <scheme>[-<authority>]-<16 hex digits of the URI's SHA-256>}, safe as a file name. */
    static String cacheFolderOf(URI uri) {
        String readable =
                (uri.getScheme() + (uri.getAuthority() == null ? "" : "-" + uri.getAuthority()))
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9.-]+", "-");
        String identity = uri.normalize().toString().replaceAll("/+$", "");
        return readable + "-" + sha256(identity).substring(0, 16);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
