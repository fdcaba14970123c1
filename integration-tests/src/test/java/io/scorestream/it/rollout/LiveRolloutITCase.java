package io.scorestream.it.rollout;

import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static io.scorestream.it.rollout.OperatorCounters.APPLIED;
import static io.scorestream.it.rollout.OperatorCounters.FEATURIZER;
import static io.scorestream.it.rollout.OperatorCounters.GUARD;
import static io.scorestream.it.rollout.OperatorCounters.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.rollout.RolloutCommand;
import io.scorestream.jobs.rollout.RolloutOptions;
import io.scorestream.operators.rollout.RolloutGuard;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live rollout end to end, as issue 4 asks: the whole scoring job on a MiniCluster with a real
 * broker and the real models, rollouts published with {@code scorestream rollout} to the control
 * topic between phases of events, predictions read {@code read_committed} and compared exactly.
 *
 * <ul>
 *   <li>A canary, a ramp and a rollback while the job runs: every event scored once, each by the
 *       version its rollout gives its session, with the same score as the bare model.
 *   <li>A candidate scoring garbage is rolled back by the guard within its window, and later events
 *       go to the stable version.
 *   <li>A job restored from a checkpoint taken during a canary keeps serving that canary from
 *       broadcast state, with nothing left on any control topic to supply it again.
 *   <li>A rollout to a version whose artifact fails its checksum is refused; the rollout in force
 *       keeps serving.
 * </ul>
 *
 * <p>Control records and events arrive on separate sources, in no order relative to each other:
 * after each control record a test waits until every featurizer subtask has applied (or refused)
 * it, through the featurizer's counters ({@link OperatorCounters}), before it publishes the events
 * that must see it.
 */
class LiveRolloutITCase {

    private static final String MODEL = "fraud-mlp";
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(TestJobs.PARALLELISM)
                            .build());

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;
    @TempDir Path repositoryCopy;

    /** Jobs this test started: one left running by a failed test would hold the slots. */
    private final List<JobClient> jobs = new ArrayList<>();

    @AfterEach
    void cancelRunningJobs() throws Exception {
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }
    }

    @Test
    void aCanaryARampAndARollbackRouteEverySessionByTheRolloutInForce() throws Exception {
        Path repository = RolloutRepositories.referenceCopy(repositoryCopy);
        // Both versions are healthy, but what is checked here must not depend on the guard.
        Configuration conf = configuration("live-ramp", repository, "1", false);
        List<SyntheticSession> sessions = TestJobs.sessions(41, 300);
        List<List<InferenceEvent>> phases = SessionSlices.of(sessions, 4);
        RolloutRouting routing = routing(conf, repository, "1", sessions, "1", "2");

        JobClient job = start(conf, "live-ramp");
        OperatorCounters counters = counters(job, FEATURIZER);
        int published = publish(conf, phases.get(0), 0); // no rollout yet: version 1
        ModelRollout canary =
                rollout(conf, repository, "--candidate", "2", "--percent", "10", "--stable", "1");
        counters.awaitOnEverySubtask(APPLIED, 1);
        published = publish(conf, phases.get(1), published);
        ModelRollout ramp = rollout(conf, repository, "--percent", "100");
        counters.awaitOnEverySubtask(APPLIED, 2);
        published = publish(conf, phases.get(2), published);
        ModelRollout rollback = rollout(conf, repository, "--rollback", "--reason", "test");
        counters.awaitOnEverySubtask(APPLIED, 3);
        publish(conf, phases.get(3), published);
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, TestJobs.events(sessions).size());
        long candidateRows = inferenceCount(job, "version.2.rowsScored");
        long candidateLoadWaits = inferenceCount(job, "version.2.loadWaits");
        job.cancel().get();

        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        routing.know(canary).know(ramp).know(rollback).assertRoutedByTheirRollout(predictions);
        assertThat(candidateRows).isPositive();
        assertThat(candidateLoadWaits)
                .as("the canary's candidate was loaded before the canary came in force")
                .isZero();
        Map<String, List<Prediction>> byPhaseRollout = byRollout(predictions);
        assertThat(byPhaseRollout.get(null))
                .as("before any rollout")
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(ids(phases.get(0)));
        assertThat(byPhaseRollout.get(canary.getRolloutId()))
                .as("under the canary")
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(ids(phases.get(1)));
        assertThat(byPhaseRollout.get(ramp.getRolloutId()))
                .as("under the ramp to 100 %")
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(ids(phases.get(2)));
        assertThat(byPhaseRollout.get(rollback.getRolloutId()))
                .as("after the rollback")
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(ids(phases.get(3)));

        Map<String, Set<String>> versionsUnderCanary =
                versionsBySession(byPhaseRollout.get(canary.getRolloutId()));
        assertThat(versionsUnderCanary).hasSize(sessions.size());
        long onCandidate =
                versionsUnderCanary.values().stream().filter(v -> v.equals(Set.of("2"))).count();
        assertThat((double) onCandidate / sessions.size())
                .as("share of the canary's sessions on version 2")
                .isCloseTo(0.10, within(0.03));
        for (ModelRollout rollout : List.of(canary, ramp, rollback)) {
            assertThat(versionsBySession(byPhaseRollout.get(rollout.getRolloutId())).values())
                    .as("each session keeps one version within rollout %s", rollout.getRolloutId())
                    .allSatisfy(versions -> assertThat(versions).hasSize(1));
        }
        assertThat(versionsBySession(byPhaseRollout.get(ramp.getRolloutId())).values())
                .as("the ramp to 100 %")
                .allSatisfy(versions -> assertThat(versions).containsExactly("2"));
        assertThat(versionsBySession(byPhaseRollout.get(rollback.getRolloutId())).values())
                .as("after the rollback")
                .allSatisfy(versions -> assertThat(versions).containsExactly("1"));
    }

    /** A counter of the inference operator's model versions, summed over its subtasks. */
    private static long inferenceCount(JobClient job, String suffix) {
        String jobId = job.getJobID().toString();
        long sum = 0;
        for (var group : REPORTER.getMetricsByGroup().entrySet()) {
            if (!jobId.equals(group.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (var metric : group.getValue().entrySet()) {
                String identifier = group.getKey().getMetricIdentifier(metric.getKey());
                if (identifier.contains(".model." + MODEL + ".")
                        && identifier.endsWith(suffix)
                        && metric.getValue() instanceof Counter counter) {
                    sum += counter.getCount();
                }
            }
        }
        return sum;
    }

    @Test
    void aGarbageCandidateIsRolledBackWithinTheWindowAndLaterEventsGoToStable() throws Exception {
        Path repository = RolloutRepositories.referenceCopy(repositoryCopy);
        RolloutRepositories.addGarbageCandidate(repository);
        Duration window = Duration.ofSeconds(10);
        Configuration conf = configuration("live-garbage", repository, "2", true);
        conf.set(ScoringOptions.ROLLOUT_WINDOW, window);
        conf.set(ScoringOptions.ROLLOUT_MIN_SAMPLES, 100);
        // Only the scores are judged here: a slow start of the machine is no breach.
        conf.set(ScoringOptions.ROLLOUT_MAX_P99_LATENCY, Duration.ofMinutes(1));
        List<SyntheticSession> sessions = TestJobs.sessions(42, 60);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        RolloutRouting routing = routing(conf, repository, "2", sessions, "2", "3");
        String control = topic(conf, ScoringOptions.CONTROL_TOPIC);

        ModelRollout canary =
                rollout(conf, repository, "--candidate", "3", "--percent", "50", "--stable", "2");
        JobClient job = start(conf, "live-garbage");
        OperatorCounters counters = counters(job, FEATURIZER);
        counters.awaitOnEverySubtask(APPLIED, 1);
        int published = publish(conf, heads, 0);
        List<ModelRollout> records =
                KAFKA.clients()
                        .readCommitted(
                                control,
                                ModelRollout.class,
                                LiveRolloutITCase::hasAutoRollback,
                                JobRuns.READ_TIMEOUT);
        assertThat(records).hasSize(2).first().isEqualTo(canary);
        ModelRollout rollback = records.get(1);
        counters.awaitOnEverySubtask(APPLIED, 2);
        publish(conf, tails, published);
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        job.cancel().get();

        assertThat(rollback.getSupersedes()).isEqualTo(canary.getRolloutId());
        assertThat(rollback.getStableVersion()).isEqualTo("2");
        assertThat(rollback.getCandidateVersion()).isEqualTo("3");
        assertThat(rollback.getCandidatePercent()).isZero();
        assertThat(rollback.getReason())
                .contains("candidate 3 of fraud-mlp rolled back: score PSI")
                .doesNotContain("error rate", "p99");
        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        routing.know(canary).know(rollback).assertRoutedByTheirRollout(predictions);
        List<Prediction> garbage =
                predictions.stream().filter(p -> p.getModelVersion().equals("3")).toList();
        assertThat(garbage).as("predictions of the candidate").isNotEmpty();
        Instant firstGarbage =
                garbage.stream().map(Prediction::getScoredTime).min(Instant::compareTo).get();
        assertThat(Duration.between(firstGarbage, rollback.getIssuedAt()))
                .as("from the candidate's first score to its rollback")
                .isLessThanOrEqualTo(window);
        Set<String> tailIds = ids(tails);
        List<Prediction> later =
                predictions.stream().filter(p -> tailIds.contains(p.getEventId())).toList();
        assertThat(later)
                .as("events after the rollback")
                .hasSize(tails.size())
                .allSatisfy(
                        p -> {
                            assertThat(p.getRolloutId()).isEqualTo(rollback.getRolloutId());
                            assertThat(p.getModelVersion()).isEqualTo("2");
                        });
    }

    @Test
    void aJobRestoredFromACheckpointTakenDuringACanaryKeepsServingIt() throws Exception {
        Path repository = RolloutRepositories.referenceCopy(repositoryCopy);
        Configuration conf = configuration("live-restore", repository, "1", false);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        List<SyntheticSession> sessions = TestJobs.sessions(43, 40);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        RolloutRouting routing = routing(conf, repository, "1", sessions, "1", "2");

        ModelRollout canary =
                rollout(conf, repository, "--candidate", "2", "--percent", "30", "--stable", "1");
        JobClient first = start(conf, "live-restore-first");
        counters(first, FEATURIZER).awaitOnEverySubtask(APPLIED, 1);
        int published = publish(conf, heads, 0);
        // Committed predictions: a checkpoint completed after the canary was applied.
        first.cancel().get();
        Path checkpoint = JobRuns.latestCheckpoint(checkpoints, first.getJobID());

        // The restored job reads a new, empty control topic. Flink accepts the change: the control
        // source's state is restored under its uid, and the Kafka enumerator discovers the new
        // topic and reads it from its start. It does not drop the old topic's split (connector
        // 5.0.0 leaves removed partitions alone; a record published to the old topic after such
        // a restore was applied in a trial run), so the reader also resumes the old topic, from
        // the offset checkpointed after the canary: neither topic can supply the canary again. The
        // restored featurizer applying no control record at all, asserted below,
        // shows the canary came from broadcast state alone.
        Configuration restored = new Configuration(conf);
        restored.set(ScoringOptions.CONTROL_TOPIC, "control-live-restore-after");
        KAFKA.createTopics(1, List.of(restored.get(ScoringOptions.CONTROL_TOPIC)));
        restored.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toString());
        JobClient second = start(restored, "live-restore-second");
        publish(conf, tails, published);
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        second.cancel().get();

        assertThat(counters(second, FEATURIZER).perSubtask(APPLIED))
                .as("control records the restored featurizer applied")
                .hasSize(TestJobs.PARALLELISM)
                .containsOnly(0L);
        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertThat(predictions)
                .as("every prediction, before and after the restore, under the canary")
                .allSatisfy(p -> assertThat(p.getRolloutId()).isEqualTo(canary.getRolloutId()));
        // Versions by the canary, scores by those versions, and positions that continue the
        // sessions: the restored session state and the restored canary.
        routing.know(canary).assertRoutedByTheirRollout(predictions);
        Set<String> tailIds = ids(tails);
        assertThat(
                        predictions.stream()
                                .filter(p -> tailIds.contains(p.getEventId()))
                                .map(Prediction::getModelVersion)
                                .collect(Collectors.toSet()))
                .as("versions after the restore")
                .containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void aRolloutToACorruptArtifactIsRefusedAndTheRolloutInForceKeepsServing() throws Exception {
        Path repository = RolloutRepositories.referenceCopy(repositoryCopy);
        RolloutRepositories.addCorruptCopy(repository, MODEL, "2", "4");
        Configuration conf = configuration("live-corrupt", repository, "1", false);
        List<SyntheticSession> sessions = TestJobs.sessions(44, 40);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        RolloutRouting routing = routing(conf, repository, "1", sessions, "1", "2");

        ModelRollout canary =
                rollout(conf, repository, "--candidate", "2", "--percent", "50", "--stable", "1");
        JobClient job = start(conf, "live-corrupt");
        OperatorCounters counters = counters(job, FEATURIZER);
        counters.awaitOnEverySubtask(APPLIED, 1);
        int published = publish(conf, heads, 0);
        // The command checks that version 4 exists, not its files: the job must refuse it.
        rollout(conf, repository, "--candidate", "4", "--percent", "50");
        counters.awaitOnEverySubtask(REFUSED, 1);
        // The guard refuses it too, so it goes on watching the canary that still serves.
        OperatorCounters guard = counters(job, GUARD);
        guard.awaitOnEverySubtask(REFUSED, 1);
        publish(conf, tails, published);
        List<Prediction> predictions =
                awaitPredictions(KAFKA.clients(), conf, heads.size() + tails.size());
        job.cancel().get();

        assertThat(counters.perSubtask(APPLIED)).as("applied: the canary only").containsOnly(1L);
        assertThat(counters.perSubtask(REFUSED)).as("refused: version 4").containsOnly(1L);
        assertThat(guard.perSubtask(REFUSED)).as("refused by the guard").containsOnly(1L);
        assertThat(guard.perSubtask(APPLIED)).as("applied by the guard").containsOnly(1L);
        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertThat(predictions)
                .as("every prediction, after the refused rollout too, under the canary")
                .allSatisfy(
                        p -> {
                            assertThat(p.getRolloutId()).isEqualTo(canary.getRolloutId());
                            assertThat(p.getModelVersion()).isNotEqualTo("4");
                        });
        routing.know(canary).assertRoutedByTheirRollout(predictions);
        assertThat(predictions.stream().map(Prediction::getModelVersion).distinct())
                .containsExactlyInAnyOrder("1", "2");
    }

    // ---------------------------------------------------------------------------------------

    private Configuration configuration(
            String testId, Path repository, String version, boolean autoRollback) throws Exception {
        Configuration conf = JobRuns.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.MODEL_REPOSITORY, repository.toString());
        conf.set(ScoringOptions.MODEL_NAME, MODEL);
        conf.set(ScoringOptions.MODEL_VERSION, version);
        conf.set(ScoringOptions.ROLLOUT_AUTO_ROLLBACK, autoRollback);
        return conf;
    }

    private static RolloutRouting routing(
            Configuration conf,
            Path repository,
            String defaultVersion,
            List<SyntheticSession> sessions,
            String... versions) {
        return new RolloutRouting(
                repository,
                MODEL,
                defaultVersion,
                List.of(versions),
                sessions,
                conf.getOptional(ScoringOptions.HISTORY_LENGTH).orElse(ExpectedScores.HISTORY));
    }

    private JobClient start(Configuration conf, String name) throws Exception {
        JobClient job = JobRuns.start(conf, TestJobs.PARALLELISM, name);
        jobs.add(job);
        return job;
    }

    private static OperatorCounters counters(JobClient job, String operator) {
        return new OperatorCounters(REPORTER, job.getJobID(), operator, TestJobs.PARALLELISM);
    }

    /**
     * Publishes one phase's events and waits until they all have a committed prediction; returns
     * how many events are published in all.
     */
    private static int publish(Configuration conf, List<InferenceEvent> events, int before)
            throws Exception {
        KAFKA.clients().publish(topic(conf, ScoringOptions.EVENTS_TOPIC), keyedBySession(events));
        awaitPredictions(KAFKA.clients(), conf, before + events.size());
        return before + events.size();
    }

    /** Publishes a rollout of fraud-mlp with {@code scorestream rollout}; returns the record. */
    private static ModelRollout rollout(Configuration conf, Path repository, String... args) {
        List<String> all = new ArrayList<>(List.of(MODEL));
        all.addAll(List.of(args));
        all.addAll(
                List.of(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        topic(conf, ScoringOptions.CONTROL_TOPIC),
                        "--model-repository",
                        repository.toString()));
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        return new RolloutCommand(client, Clock.systemUTC())
                .execute(
                        RolloutOptions.parse(all),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static boolean hasAutoRollback(List<ModelRollout> records) {
        return records.stream().anyMatch(r -> r.getIssuedBy().equals(RolloutGuard.ISSUER));
    }

    private static Map<String, List<Prediction>> byRollout(List<Prediction> predictions) {
        Map<String, List<Prediction>> byRollout = new HashMap<>();
        for (Prediction prediction : predictions) {
            byRollout
                    .computeIfAbsent(prediction.getRolloutId(), id -> new ArrayList<>())
                    .add(prediction);
        }
        return byRollout;
    }

    private static Map<String, Set<String>> versionsBySession(List<Prediction> predictions) {
        return predictions.stream()
                .collect(
                        Collectors.groupingBy(
                                Prediction::getSessionId,
                                Collectors.mapping(
                                        Prediction::getModelVersion, Collectors.toSet())));
    }

    private static Set<String> ids(List<InferenceEvent> events) {
        return events.stream()
                .map(InferenceEvent::getEventId)
                .collect(Collectors.toCollection(HashSet::new));
    }
}
