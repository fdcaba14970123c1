package io.scorestream.jobs.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where {@code scorestream run} keeps the checkpoints and savepoints of one job, and which of them
 * a new run resumes from.
 *
 * <p>A job is known by its name (the transactional id prefix, which must already be unique per job:
 * two jobs with one prefix fence each other's Kafka transactions). Its folder, {@code
 * <root>/<name>/}, holds Flink's checkpoint folders of every run, {@code <Flink job id>/chk-<n>/},
 * and the savepoints taken when a run stops, {@code savepoints/}. Every run gets a new Flink job
 * id, so the checkpoint ids of one run never collide with another's; the newest completed
 * checkpoint or savepoint (by when its metadata was written, which Flink does atomically, last) is
 * where the next run resumes.
 */
public final class JobCheckpoints {

    /** What a restore point is: Flink owns a checkpoint, the user a savepoint. */
    public enum Kind {
        CHECKPOINT,
        SAVEPOINT
    }

    /**
     * A completed checkpoint or savepoint.
     *
     * @param kind checkpoint or savepoint
     * @param path its folder
     * @param completed when its metadata was written
     */
    public record RestorePoint(Kind kind, Path path, Instant completed) {

        /**
         * E.g. "checkpoint 12 /tmp/ckpt/scorestream/4f1c.../chk-12, completed 2026-...T12:01:02Z".
         */
        public String describe() {
            String name = path.getFileName().toString();
            Matcher checkpoint = CHECKPOINT.matcher(name);
            String what =
                    kind == Kind.CHECKPOINT && checkpoint.matches()
                            ? "checkpoint " + checkpoint.group(1)
                            : kind.name().toLowerCase(Locale.ROOT);
            return what + " " + path + ", completed " + completed.truncatedTo(ChronoUnit.SECONDS);
        }
    }

    static final String SAVEPOINTS = "savepoints";
    static final int SAVEPOINTS_KEPT = 3;
    private static final String METADATA = "_metadata";
    private static final Pattern FLINK_JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    private static final DateTimeFormatter SET_ASIDE =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path folder;

    private JobCheckpoints(Path folder) {
        this.folder = folder;
    }

    /** The folder of job {@code name} under {@code root}. */
    public static JobCheckpoints of(Path root, String name) {
        return new JobCheckpoints(root.resolve(folderName(name)).toAbsolutePath().normalize());
    }

    /**
     * A local folder from a checkpoint directory setting: a {@code file:} URI or a path.
     *
     * @throws IllegalArgumentException for another file system
     */
    public static Path localFolder(String uriOrPath) {
        URI uri = URI.create(uriOrPath.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            return Path.of(uriOrPath).toAbsolutePath().normalize();
        }
        if (!uri.getScheme().equals("file")) {
            throw new IllegalArgumentException(
                    "scorestream run keeps checkpoints in a local folder, not on "
                            + uri.getScheme());
        }
        return Path.of(uri).toAbsolutePath().normalize();
    }

    /** The job's name as a folder name: characters other than letters, digits, . _ - become _. */
    static String folderName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public Path folder() {
        return folder;
    }

    /** For {@code execution.checkpointing.dir}: Flink adds a folder per run (its job id). */
    public String checkpointDirectory() {
        return folder.toUri().toString();
    }

    /** Where a run that stops puts its savepoint. */
    public String savepointDirectory() {
        return folder.resolve(SAVEPOINTS).toUri().toString();
    }

    /** The newest completed checkpoint or savepoint of the job, if it has one. */
    public Optional<RestorePoint> newest() {
        return all().stream().max(Comparator.comparing(RestorePoint::completed));
    }

    /**
     * The newest checkpoint Flink wrote straight under {@code root} ({@code <root>/<Flink job
     * id>/chk-<n>}), as runs did before each job had a folder of its own: a run does not resume
     * from it by itself, since it cannot tell whose it is, but can name it.
     */
    public static Optional<RestorePoint> newestOutsideJobFolders(Path root) {
        return under(root).stream().max(Comparator.comparing(RestorePoint::completed));
    }

    /**
     * Moves the job's folder aside, to {@code <name>.replaced-<time>}, so that a fresh run does not
     * resume from it later; returns where it went.
     */
    public Path setAside(Instant now) throws IOException {
        Path aside =
                folder.resolveSibling(folder.getFileName() + ".replaced-" + SET_ASIDE.format(now));
        return Files.move(folder, aside);
    }

    /**
     * Deletes what no run will need: the folders of earlier runs that hold no file any more (Flink
     * deleted their checkpoints once a later run's superseded them), and savepoints beyond the
     * {@value #SAVEPOINTS_KEPT} newest, {@code keep} excepted.
     */
    public void prune(Optional<Path> keep) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        for (Path run : children(folder)) {
            if (FLINK_JOB_ID.matcher(run.getFileName().toString()).matches() && holdsNoFile(run)) {
                deleteRecursively(run);
            }
        }
        List<RestorePoint> savepoints =
                all().stream()
                        .filter(point -> point.kind() == Kind.SAVEPOINT)
                        .sorted(Comparator.comparing(RestorePoint::completed).reversed())
                        .toList();
        for (RestorePoint old :
                savepoints.subList(
                        Math.min(SAVEPOINTS_KEPT, savepoints.size()), savepoints.size())) {
            if (keep.isEmpty() || !old.path().equals(keep.get())) {
                deleteRecursively(old.path());
            }
        }
    }

    private List<RestorePoint> all() {
        return under(folder);
    }

    private static List<RestorePoint> under(Path folder) {
        List<RestorePoint> found = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        for (Path child : children(folder)) {
            String name = child.getFileName().toString();
            if (FLINK_JOB_ID.matcher(name).matches()) {
                for (Path checkpoint : children(child)) {
                    if (CHECKPOINT.matcher(checkpoint.getFileName().toString()).matches()) {
                        completed(Kind.CHECKPOINT, checkpoint).ifPresent(found::add);
                    }
                }
            } else if (name.equals(SAVEPOINTS)) {
                for (Path savepoint : children(child)) {
                    completed(Kind.SAVEPOINT, savepoint).ifPresent(found::add);
                }
            }
        }
        return found;
    }

    private static Optional<RestorePoint> completed(Kind kind, Path folder) {
        Path metadata = folder.resolve(METADATA);
        try {
            return Files.isRegularFile(metadata)
                    ? Optional.of(
                            new RestorePoint(
                                    kind, folder, Files.getLastModifiedTime(metadata).toInstant()))
                    : Optional.empty();
        } catch (IOException gone) {
            return Optional.empty(); // deleted while we looked: Flink subsumed it
        }
    }

    private static List<Path> children(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean holdsNoFile(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.noneMatch(Files::isRegularFile);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
