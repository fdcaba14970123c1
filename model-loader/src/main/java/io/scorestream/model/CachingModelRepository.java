package io.scorestream.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model repository in a remote store ({@link RepositoryFiles}), served from a local cache folder
 * laid out as {@code <cache>/<model>/<version>/}.
 *
 * <p>{@link #resolve} copies a version that is not cached yet into a hidden temporary folder inside
 * the cache, validates its manifest there, checks every file the manifest lists against its SHA-256
 * while copying it, and only then moves the folder into place in one atomic rename. A version that
 * fails any check leaves nothing behind and the error names the URI and the file, so a bad
 * publication can never replace or half-overwrite a version that is serving. Only the files the
 * manifest lists (and the manifest) are copied.
 *
 * <p>A published version is treated as immutable: a cached copy is reused without asking the store
 * (so a version keeps loading while the store is unreachable), but it is verified against its
 * checksums every time it is resolved, and fetched again when it no longer matches.
 *
 * <p>Threads of one JVM resolving the same version take turns: the first fetches, the others find
 * its result in the cache. Processes sharing a cache folder are safe too: each fetches into its own
 * temporary folder and the atomic rename lets one of them win.
 */
public final class CachingModelRepository implements ModelCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(CachingModelRepository.class);

    /** Names of work folders inside the cache start with this: hidden from any listing. */
    static final String WORK_PREFIX = ".fetch-";

    private static final int BUFFER_BYTES = 64 * 1024;

    /** One lock per cached version folder, shared by every instance in the JVM. */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final RepositoryFiles files;
    private final Path cache;

    /**
     * A repository read through {@code files} and cached under {@code cache} (created when the
     * first version is fetched).
     */
    public CachingModelRepository(RepositoryFiles files, Path cache) {
        this.files = Objects.requireNonNull(files, "files");
        this.cache = Objects.requireNonNull(cache, "cache").toAbsolutePath().normalize();
    }

    /** The local folder versions are cached in. */
    public Path cache() {
        return cache;
    }

    @Override
    public List<String> models() {
        List<String> models = new ArrayList<>();
        for (RepositoryFiles.Entry entry : list("")) {
            if (entry.directory()
                    && ModelRepository.isPlainName(entry.name())
                    && !versionsIn(entry.name()).isEmpty()) {
                models.add(entry.name());
            }
        }
        models.sort(Comparator.naturalOrder());
        return List.copyOf(models);
    }

    @Override
    public List<String> versions(String model) {
        List<String> versions =
                ModelRepository.isPlainName(model) ? versionsIn(model) : List.<String>of();
        if (versions.isEmpty()) {
            throw unknownModel(model);
        }
        return versions;
    }

    /**
     * The cached copy of the version, fetched first when there is none (or the one there no longer
     * matches its checksums). Files are verified: {@link ModelLoader} verifies them again when it
     * loads.
     */
    @Override
    public ModelLocation resolve(String model, String version) {
        Path target = target(model, version);
        synchronized (LOCKS.computeIfAbsent(target, k -> new Object())) {
            ModelLocation cached = cached(model, version, target);
            return cached != null ? cached : fetch(model, version, target);
        }
    }

    /**
     * The manifest alone: read from the cache, or (when it is not cached, or the cached one does
     * not read) fetched by itself without the model files.
     */
    @Override
    public ModelManifest manifest(String model, String version) {
        Path target = target(model, version);
        synchronized (LOCKS.computeIfAbsent(target, k -> new Object())) {
            if (Files.isRegularFile(target.resolve(ModelRepository.MANIFEST_FILE))) {
                try {
                    return readManifest(target, model, version, null);
                } catch (ModelIntegrityException damaged) {
                    LOG.warn(
                            "Cached manifest of {} v{} in {} does not read, reading the store's: {}",
                            model,
                            version,
                            target,
                            damaged.getMessage());
                }
            }
        }
        String manifestPath = requirePublished(model, version);
        Path work = createWorkFolder(model, version);
        try {
            copy(manifestPath, work.resolve(ModelRepository.MANIFEST_FILE), null, null);
            return readManifest(work, model, version, files.uri(manifestPath));
        } finally {
            deleteQuietly(work);
        }
    }

    @Override
    public String toString() {
        return "CachingModelRepository[" + files.uri("") + " -> " + cache + "]";
    }

    private Path target(String model, String version) {
        if (!ModelRepository.isPlainName(model)) {
            throw unknownModel(model);
        }
        if (!ModelRepository.isPlainName(version)) {
            throw noSuchVersion(model, version);
        }
        return cache.resolve(model).resolve(version);
    }

    /** The cached copy when there is one and it still matches its checksums, else null. */
    private ModelLocation cached(String model, String version, Path target) {
        if (!Files.isDirectory(target)) {
            return null;
        }
        try {
            ModelLocation location =
                    new ModelLocation(target, readManifest(target, model, version, null));
            ChecksumVerifier.verify(location);
            return location;
        } catch (ModelIntegrityException e) {
            LOG.warn(
                    "Cached copy {} of {} v{} is damaged, fetching it again: {}",
                    target,
                    model,
                    version,
                    e.getMessage());
            discard(target);
            return null;
        }
    }

    private ModelLocation fetch(String model, String version, Path target) {
        String manifestPath = requirePublished(model, version);
        String folder = model + "/" + version;
        long start = System.nanoTime();
        Path work = createWorkFolder(model, version);
        try {
            copy(manifestPath, work.resolve(ModelRepository.MANIFEST_FILE), null, null);
            ModelManifest manifest = readManifest(work, model, version, files.uri(manifestPath));
            long bytes = 0;
            for (Map.Entry<String, String> file : manifest.files().entrySet()) {
                bytes +=
                        copy(
                                folder + "/" + file.getKey(),
                                work.resolve(file.getKey()),
                                manifest,
                                file.getValue());
            }
            ModelLocation location = moveIntoPlace(work, target, model, version, manifest);
            LOG.info(
                    "Fetched model {} ({} files, {} bytes, checksums verified) from {} into {}"
                            + " in {} ms",
                    manifest.displayName(),
                    manifest.files().size(),
                    bytes,
                    files.uri(folder),
                    target,
                    (System.nanoTime() - start) / 1_000_000);
            return location;
        } finally {
            deleteQuietly(work); // gone already when the move succeeded
        }
    }

    /**
     * The path of the version's manifest in the store.
     *
     * @throws ModelNotFoundException listing what exists when the model or version is not there
     */
    private String requirePublished(String model, String version) {
        String manifestPath = model + "/" + version + "/" + ModelRepository.MANIFEST_FILE;
        boolean published;
        try {
            published = files.exists(manifestPath);
        } catch (IOException e) {
            throw new ModelNotFoundException(
                    "cannot read " + files.uri(manifestPath) + ": " + e.getMessage(), e);
        }
        if (!published) {
            throw noSuchVersion(model, version);
        }
        return manifestPath;
    }

    private ModelNotFoundException unknownModel(String model) {
        return new ModelNotFoundException(
                "no model '" + model + "' in " + files.uri("") + "; available models: " + models());
    }

    private ModelNotFoundException noSuchVersion(String model, String version) {
        return new ModelNotFoundException(
                "model '"
                        + model
                        + "' has no version '"
                        + version
                        + "' in "
                        + files.uri("")
                        + "; available versions: "
                        + versions(model));
    }

    private ModelManifest readManifest(Path folder, String model, String version, String source) {
        Path file = folder.resolve(ModelRepository.MANIFEST_FILE);
        String name = source != null ? source : file.toString();
        ModelManifest manifest = ManifestReader.read(file, name);
        ModelRepository.checkNames(manifest, model, version, name);
        return manifest;
    }

    /**
     * Copies one file of the store into {@code destination}, checking its SHA-256 on the way when
     * {@code expectedSha256} is given.
     *
     * @return the bytes copied
     * @throws ModelIntegrityException naming the URI when the file is missing, unreadable or its
     *     checksum differs
     */
    private long copy(
            String path, Path destination, ModelManifest manifest, String expectedSha256) {
        String what = manifest == null ? "" : "model " + manifest.displayName() + ": ";
        MessageDigest digest = sha256();
        long bytes = 0;
        try (InputStream in = new DigestInputStream(files.open(path), digest);
                OutputStream out = Files.newOutputStream(destination)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                bytes += n;
            }
        } catch (FileNotFoundException | NoSuchFileException e) {
            throw new ModelIntegrityException(
                    what
                            + "missing file "
                            + files.uri(path)
                            + (manifest == null ? "" : " listed in its manifest")
                            + "; nothing was cached",
                    e);
        } catch (IOException e) {
            throw new ModelIntegrityException(
                    what
                            + "cannot copy "
                            + files.uri(path)
                            + " into the cache "
                            + cache
                            + ": "
                            + e
                            + "; nothing was cached",
                    e);
        }
        if (expectedSha256 != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ModelIntegrityException(
                        what
                                + "checksum mismatch for "
                                + files.uri(path)
                                + ": expected sha256 "
                                + expectedSha256
                                + ", actual "
                                + actual
                                + "; nothing was cached");
            }
        }
        return bytes;
    }

    /** The atomic rename that publishes a verified copy; another process may have won the race. */
    private ModelLocation moveIntoPlace(
            Path work, Path target, String model, String version, ModelManifest manifest) {
        try {
            Files.createDirectories(target.getParent());
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            return new ModelLocation(target, manifest);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            ModelLocation theirs = cached(model, version, target);
            if (theirs != null) {
                return theirs;
            }
            throw new ModelIntegrityException(
                    "model "
                            + manifest.displayName()
                            + ": another process cached "
                            + target
                            + " at the same time and its copy does not verify",
                    raced);
        } catch (IOException e) {
            throw new ModelIntegrityException(
                    "model "
                            + manifest.displayName()
                            + ": cannot move the verified copy "
                            + work
                            + " to "
                            + target
                            + ": "
                            + e,
                    e);
        }
    }

    private Path createWorkFolder(String model, String version) {
        try {
            Files.createDirectories(cache);
            return Files.createTempDirectory(cache, WORK_PREFIX + model + "-" + version + "-");
        } catch (IOException e) {
            throw new ModelIntegrityException(
                    "cannot create a folder in the model cache " + cache + ": " + e, e);
        }
    }

    /** Takes a damaged copy out of place in one rename, then deletes it. */
    private void discard(Path target) {
        try {
            Path aside = Files.createTempDirectory(cache, WORK_PREFIX + "discard-");
            Files.move(target, aside.resolve("copy"), StandardCopyOption.ATOMIC_MOVE);
            deleteQuietly(aside);
        } catch (IOException e) {
            throw new ModelIntegrityException(
                    "cannot remove the damaged cached copy " + target + ": " + e, e);
        }
    }

    private List<String> versionsIn(String model) {
        List<String> versions = new ArrayList<>();
        for (RepositoryFiles.Entry entry : list(model)) {
            if (entry.directory()
                    && ModelRepository.isPlainName(entry.name())
                    && exists(model + "/" + entry.name() + "/" + ModelRepository.MANIFEST_FILE)) {
                versions.add(entry.name());
            }
        }
        versions.sort(ModelRepository.VERSION_ORDER);
        return List.copyOf(versions);
    }

    private List<RepositoryFiles.Entry> list(String path) {
        try {
            return files.list(path);
        } catch (IOException e) {
            throw new ModelNotFoundException(
                    "cannot list " + files.uri(path) + ": " + e.getMessage(), e);
        }
    }

    private boolean exists(String path) {
        try {
            return files.exists(path);
        } catch (IOException e) {
            throw new ModelNotFoundException(
                    "cannot read " + files.uri(path) + ": " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Deletes a work folder; a failure is logged, as the error being thrown matters more. */
    private static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete the model cache work folder {}: {}", folder, e.toString());
        }
    }
}
