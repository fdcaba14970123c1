package io.scorestream.jobs.local;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringJob;
import io.scorestream.jobs.ScoringJobMain;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.JobConfiguration;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.local.JobCheckpoints.Kind;
import io.scorestream.jobs.local.JobCheckpoints.RestorePoint;
import io.scorestream.model.ModelManifest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code scorestream run}: the scoring job on a local Flink against the user's Kafka, as a process
 * that can be stopped and started again without losing data or session state.
 *
 * <ul>
 *   <li>It resumes from the newest completed checkpoint or savepoint of the same job ({@link
 *       JobCheckpoints}), says so in one line, and starts without state only when there is none or
 *       when told to ({@code --fresh}, which sets the old state aside).
 *   <li>Checkpoints are retained when the process dies or is stopped, so a killed run loses
 *       nothing: the next one resumes from its last checkpoint, exactly once.
 *   <li>Ctrl-C or SIGTERM stops the job with a savepoint and exits 0; the next run resumes from it.
 *   <li>It exits non-zero with a message when the job can no longer run: it failed for good, or the
 *       local TaskManager died ({@link JobWatch}).
 *   <li>It prints where its log is, how to stop it, and a progress line every {@code
 *       --progress-interval}.
 * </ul>
 */
public final class LocalRun {

    /** Where {@code bin/scorestream} keeps its state; the default checkpoints go under it. */
    public static final String STATE_DIR_PROPERTY = "scorestream.state.dir";

    private static final Logger LOG = LoggerFactory.getLogger(LocalRun.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final RunOptions options;
    private final PrintStream out;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    public LocalRun(RunOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** How the job starts: from which state, said in one line. */
    private record Start(String line, SavepointRestoreSettings restore, Optional<Path> from) {}

    /**
     * Runs the job until it is stopped or can no longer run.
     *
     * @return the process exit code: 0 when stopped with a savepoint, 1 when the job failed or
     *     could not be stopped cleanly
     */
    public int run() throws Exception {
        stopOnSignals();
        Configuration conf = JobConfiguration.load(options.settings().toArray(String[]::new));
        ScoringSettings settings = ScoringSettings.from(conf);
        String name = settings.kafka().transactionalIdPrefix();
        JobCheckpoints checkpoints = JobCheckpoints.of(checkpointRoot(conf), name);
        ScoringJobMain.preflight(settings);
        Start start = start(conf, checkpoints, name);
        checkpoints.prune(start.from());

        Configuration flinkConf = FlinkSetup.forScoring(conf, settings);
        flinkConf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.checkpointDirectory());
        flinkConf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, checkpoints.savepointDirectory());
        // What lets a killed or failed run resume: its last checkpoint stays.
        flinkConf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        int parallelism =
                conf.getOptional(CoreOptions.DEFAULT_PARALLELISM)
                        .orElse(Runtime.getRuntime().availableProcessors());
        try (RunMetrics metrics = RunMetrics.create()) {
            metrics.addTo(flinkConf);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
            env.setParallelism(parallelism);
            ScoringJob job = ScoringJob.onKafka(settings);
            job.build(env);

            out.printf(
                    Locale.ROOT,
                    "Job '%s': %s, parallelism %d, checkpoints every %s in %s%n",
                    name,
                    model(job.manifest(), settings, start),
                    parallelism,
                    TimeUtils.formatWithHighestUnit(settings.checkpoints().interval()),
                    checkpoints.folder());
            out.println(start.line());
            logFile().ifPresent(log -> out.println("Log: " + log));
            out.printf(
                    "Stop: Ctrl-C or kill %d (stops with a savepoint; the next run resumes from"
                            + " it)%n",
                    ProcessHandle.current().pid());

            if (stopRequested.getCount() == 0) {
                out.println("Stopped before the job started.");
                return 0;
            }
            LocalFlinkCluster flink = LocalFlinkCluster.start(flinkConf, parallelism);
            try {
                JobID id = flink.submit(env, start.restore());
                return watch(flink, id, metrics, checkpoints, start);
            } finally {
                if (!flink.closeWithin(CLOSE_TIMEOUT)) {
                    LOG.warn("The local cluster did not shut down within {}", CLOSE_TIMEOUT);
                }
            }
        }
    }

    /** Asks the run to stop with a savepoint, as Ctrl-C does. */
    public void requestStop() {
        stopRequested.countDown();
    }

    private Start start(Configuration conf, JobCheckpoints checkpoints, String name)
            throws Exception {
        boolean ignoreUnclaimed = conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE);
        String named =
                options.fromSavepoint() != null
                        ? options.fromSavepoint()
                        : conf.get(StateRecoveryOptions.SAVEPOINT_PATH);
        if (named != null) {
            return new Start(
                    "Starting from " + named + " (named on the command line)",
                    SavepointRestoreSettings.forPath(
                            named, ignoreUnclaimed, RecoveryClaimMode.NO_CLAIM),
                    localPath(named));
        }
        Optional<RestorePoint> newest = checkpoints.newest();
        if (newest.isEmpty()) {
            String older =
                    JobCheckpoints.newestOutsideJobFolders(checkpoints.folder().getParent())
                            .map(
                                    point ->
                                            " (an older run's "
                                                    + point.describe()
                                                    + ": --from-savepoint "
                                                    + point.path()
                                                    + " resumes from it)")
                            .orElse("");
            return new Start(
                    "Starting fresh: job '" + name + "' has no checkpoint or savepoint yet" + older,
                    SavepointRestoreSettings.none(),
                    Optional.empty());
        }
        if (options.fresh()) {
            Path aside = checkpoints.setAside(Instant.now());
            return new Start(
                    "Starting fresh (--fresh): the earlier checkpoints and savepoints of job '"
                            + name
                            + "' are kept in "
                            + aside,
                    SavepointRestoreSettings.none(),
                    Optional.empty());
        }
        RestorePoint point = newest.get();
        // A retained checkpoint is Flink's: the new run takes it over and deletes it once its own
        // checkpoints supersede it. A savepoint stays the user's.
        RecoveryClaimMode mode =
                point.kind() == Kind.CHECKPOINT
                        ? RecoveryClaimMode.CLAIM
                        : RecoveryClaimMode.NO_CLAIM;
        return new Start(
                "Resuming job '"
                        + name
                        + "' from "
                        + point.describe()
                        + " (--fresh starts over instead)",
                SavepointRestoreSettings.forPath(
                        point.path().toUri().toString(), ignoreUnclaimed, mode),
                Optional.of(point.path()));
    }

    private static Optional<Path> localPath(String uriOrPath) {
        try {
            return Optional.of(JobCheckpoints.localFolder(uriOrPath));
        } catch (IllegalArgumentException elsewhere) {
            return Optional.empty();
        }
    }

    private int watch(
            LocalFlinkCluster flink,
            JobID id,
            RunMetrics metrics,
            JobCheckpoints checkpoints,
            Start start)
            throws Exception {
        JobWatch watch = new JobWatch(flink, id);
        RunProgress progress = new RunProgress(flink, id, metrics);
        long nextProgress = System.nanoTime() + options.progressInterval().toNanos();
        boolean running = false;
        while (true) {
            if (stopRequested.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                return running || flink.allTasksRunning(id)
                        ? stop(flink, id, checkpoints)
                        : cancelBeforeRunning(flink, id, checkpoints);
            }
            Optional<JobWatch.Ending> ending = watch.check();
            if (ending.isPresent()) {
                return ended(ending.get(), start, checkpoints);
            }
            if (!running && flink.allTasksRunning(id)) {
                running = true;
                out.println(progress.prefix() + "running: every task is up");
            }
            if (System.nanoTime() >= nextProgress) {
                nextProgress += options.progressInterval().toNanos();
                out.println(progress.line());
            }
        }
    }

    private int stop(LocalFlinkCluster flink, JobID id, JobCheckpoints checkpoints)
            throws Exception {
        out.println(
                "Stopping with a savepoint (Ctrl-C again quits at once; the next run then resumes"
                        + " from the last checkpoint)...");
        try {
            String savepoint =
                    flink.stopWithSavepoint(id, checkpoints.savepointDirectory(), STOP_TIMEOUT);
            out.println(
                    "Stopped with savepoint "
                            + savepoint
                            + "; run the same command to resume from it.");
            return 0;
        } catch (Exception e) {
            out.println(
                    "Could not take a savepoint ("
                            + rootMessage(e)
                            + "); the job is cancelled instead, and the next run resumes from its"
                            + " last checkpoint"
                            + checkpoints.newest().map(p -> " (" + p.describe() + ")").orElse(""));
            flink.cancel(id);
            return 1;
        }
    }

    /** Stopped before every task ran: nothing was scored since the state it started from. */
    private int cancelBeforeRunning(LocalFlinkCluster flink, JobID id, JobCheckpoints checkpoints)
            throws Exception {
        flink.cancel(id);
        out.println(
                "Stopped before the job was running; the next run starts from "
                        + checkpoints
                                .newest()
                                .map(RestorePoint::describe)
                                .orElse("the same state as this one")
                        + ".");
        return 0;
    }

    private int ended(JobWatch.Ending ending, Start start, JobCheckpoints checkpoints) {
        String failure =
                ending.lastFailure().map(LocalRun::firstLine).orElse("no failure recorded");
        String resume =
                checkpoints
                        .newest()
                        .map(p -> "The next run resumes from " + p.describe() + ".")
                        .orElse("There is no checkpoint to resume from.");
        switch (ending.reason()) {
            case TASK_MANAGER_LOST ->
                    out.println(
                            "The local TaskManager stopped after a fatal error, so the job cannot"
                                    + " run any more (its last failure: "
                                    + failure
                                    + "). "
                                    + resume
                                    + logFile().map(log -> " Details in " + log + ".").orElse(""));
            case JOB_ENDED -> {
                out.println("The job ended: " + ending.status() + " (" + failure + "). " + resume);
                if (start.restore().restoreSavepoint()) {
                    out.println(
                            "If it cannot resume from "
                                    + start.restore().getRestorePath()
                                    + ", name another point with --from-savepoint, or start over"
                                    + " with --fresh (the old state is set aside, not deleted).");
                }
            }
        }
        return 1;
    }

    private static String model(ModelManifest manifest, ScoringSettings settings, Start start) {
        String latest = ScoringOptions.MODEL_VERSION.defaultValue();
        if (!latest.equals(settings.modelVersion()) || !start.restore().restoreSavepoint()) {
            return manifest.name() + ":" + manifest.version();
        }
        return manifest.name()
                + " (the version in the job's state; the repository's latest is "
                + manifest.version()
                + ")";
    }

    /** {@code execution.checkpointing.dir}, or {@code checkpoints} in bin/scorestream's state. */
    static Path checkpointRoot(Configuration conf) {
        Optional<String> configured = conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (configured.isEmpty()) {
            return Path.of(System.getProperty(STATE_DIR_PROPERTY, ".scorestream"))
                    .resolve("checkpoints")
                    .toAbsolutePath();
        }
        try {
            return JobCheckpoints.localFolder(configured.get());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(
                    List.of(
                            CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                                    + ": "
                                    + e.getMessage()));
        }
    }

    /** Ctrl-C and SIGTERM ask for a stop with a savepoint; a second one ends the JVM at once. */
    private void stopOnSignals() {
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(
                        new Signal(name),
                        signal -> {
                            Signal.handle(signal, sun.misc.SignalHandler.SIG_DFL);
                            requestStop();
                        });
            } catch (IllegalArgumentException unavailable) {
                // The JVM reserves this signal (-Xrs): the default handling stays.
            }
        }
    }

    /** Where bin/scorestream has the log written (one file per command it runs). */
    public static final String LOG_FILE_PROPERTY = "scorestream.log.file";

    /** The file the log goes to, when the launcher says. */
    static Optional<Path> logFile() {
        return Optional.ofNullable(System.getProperty(LOG_FILE_PROPERTY))
                .map(file -> Path.of(file).toAbsolutePath());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).trim();
    }
}
