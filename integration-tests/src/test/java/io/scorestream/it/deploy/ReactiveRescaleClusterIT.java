package io.scorestream.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.input.KafkaClients;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reactive mode on a real application cluster of separate JVMs ({@code bin/scorestream cluster
 * start --application}), with flink-conf/config.yaml's rescaling settings: the job starts on one
 * TaskManager (2 slots), a second joins and the job rescales up to 4, then one is killed (SIGKILL)
 * and it rescales down to 2, while events keep arriving. Afterwards: exactly one committed
 * prediction per event, and every prediction's session position and score equal an uninterrupted
 * run's, so keyed session state moved intact through both rescales. Prints how long each took.
 */
class ReactiveRescaleClusterIT {

    /** Enough interleaved sessions to produce for about two minutes; production stops earlier. */
    private static final int SESSIONS = 900;

    private static final int EVENTS_PER_SECOND = 100;
    private static final int PARTITIONS = 4;

    private EmbeddedKafka kafka;
    private StandaloneCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void rescalesUpAndDownWithoutLosingOrDuplicatingAnythingOrSessionState() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(
                PARTITIONS,
                List.of(
                        ScoringOptions.EVENTS_TOPIC.defaultValue(),
                        ScoringOptions.PREDICTIONS_TOPIC.defaultValue(),
                        ScoringOptions.DEAD_LETTER_TOPIC.defaultValue(),
                        ScoringOptions.CONTROL_TOPIC.defaultValue()));
        List<SyntheticSession> sessions = Topics.sessions(31, SESSIONS);
        List<InferenceEvent> all = interleaved(sessions);

        long clusterStart = System.nanoTime();
        cluster =
                StandaloneCluster.start(
                        List.of(
                                "--application",
                                "--taskmanagers",
                                "1",
                                "--slots",
                                "2",
                                "--jar",
                                StandaloneCluster.jobJar().toString(),
                                "--",
                                "--" + ScoringOptions.BOOTSTRAP_SERVERS.key(),
                                kafka.bootstrapServers(),
                                "--" + ScoringOptions.STARTING_OFFSETS.key(),
                                "EARLIEST",
                                "--" + ScoringOptions.TRANSACTIONAL_ID_PREFIX.key(),
                                "tx-rescale",
                                "--" + ScoringOptions.MODEL_REPOSITORY.key(),
                                ReferenceModels.root().toString(),
                                "--" + ScoringOptions.MAX_BATCH_SIZE.key(),
                                "32",
                                "--execution.checkpointing.interval",
                                "1 s"));
        String job = cluster.awaitJob(Duration.ofSeconds(60));
        long running =
                cluster.await(
                        "job running at parallelism 2",
                        Duration.ofMinutes(2),
                        () -> cluster.runningAt(job, 2));
        report("cluster start to job running at parallelism 2", clusterStart, running);

        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> producer =
                CompletableFuture.runAsync(() -> produceSteadily(all, producing, sent));

        // -Dscorestream.it.rescale=false runs the same job and checks without rescaling: the
        // baseline that tells a loss caused by a rescale from one the job has anyway.
        boolean rescale =
                Boolean.parseBoolean(System.getProperty("scorestream.it.rescale", "true"));
        Instant registeredAt = Instant.now();
        Instant upAt = Instant.now();
        Instant killedAt = Instant.now();
        Instant downAt = Instant.now();
        if (rescale) {
            // Scale up: a second TaskManager joins.
            Thread.sleep(6_000);
            long added = System.nanoTime();
            cluster.run("taskmanager", "add");
            long registered =
                    cluster.await(
                            "second TaskManager registered",
                            Duration.ofMinutes(1),
                            () -> cluster.taskManagers() == 2);
            registeredAt = Instant.now();
            long scaledUp =
                    cluster.await(
                            "job running at parallelism 4",
                            Duration.ofMinutes(2),
                            () -> cluster.runningAt(job, 4));
            upAt = Instant.now();
            report("TaskManager registered to job running at parallelism 4", registered, scaledUp);
            report("(TaskManager JVM start to registration)", added, registered);

            // Scale down: one TaskManager dies (no goodbye; the heartbeat timeout notices).
            Thread.sleep(10_000);
            long killed = System.nanoTime();
            killedAt = Instant.now();
            cluster.run("taskmanager", "kill", "2");
            long scaledDown =
                    cluster.await(
                            "job running at parallelism 2 again",
                            Duration.ofMinutes(3),
                            () -> cluster.runningAt(job, 2) && cluster.taskManagers() == 1);
            downAt = Instant.now();
            report("TaskManager killed to job running at parallelism 2", killed, scaledDown);
        } else {
            Thread.sleep(30_000);
        }

        // Events keep coming a little longer, then the input ends.
        Thread.sleep(5_000);
        producing.set(false);
        producer.get(1, TimeUnit.MINUTES);
        assertThat(sent.get()).as("events sent before the input ended").isLessThan(all.size());
        List<InferenceEvent> events = all.subList(0, sent.get());
        List<Prediction> predictions;
        try {
            predictions =
                    KafkaClients.plain(kafka.bootstrapServers())
                            .readCommitted(
                                    "predictions",
                                    Prediction.class,
                                    read ->
                                            read.stream()
                                                            .map(Prediction::getEventId)
                                                            .distinct()
                                                            .count()
                                                    >= events.size(),
                                    Duration.ofMinutes(2));
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage()
                            + " of "
                            + events.size()
                            + "; open transactions: "
                            + openTransactions()
                            + "; "
                            + missing(events),
                    e);
        }

        // Exactly once.
        assertThat(predictions).hasSize(events.size());
        assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
        // Session state intact: positions and scores of an uninterrupted, in-order run.
        BareModelScores expected =
                BareModelScores.of("fraud-mlp", sessions, ExpectedScores.HISTORY);
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s in its session", id)
                    .isEqualTo(expected.positionByEvent().get(id));
            assertThat(prediction.getScore())
                    .as("score of %s", id)
                    .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
        }
        if (rescale) {
            // The check means something only if sessions were scored on both sides of each
            // rescale.
            assertThat(sessionsSpanning(predictions, upAt))
                    .as("sessions spanning the scale-up")
                    .isGreaterThan(50);
            assertThat(sessionsSpanning(predictions, killedAt))
                    .as("sessions spanning the scale-down")
                    .isGreaterThan(50);
            reportScoringGaps(predictions, registeredAt, upAt, killedAt, downAt);
        }
        System.out.println(
                "RESCALE JobManager log: "
                        + cluster.jobManagerLog(
                                line ->
                                        line.contains("AdaptiveScheduler")
                                                && (line.contains("rescal")
                                                        || line.contains("Restarting")
                                                        || line.contains("state transition"))));
    }

    /**
     * Why predictions are missing, for the failure message: whether the events reached Kafka,
     * whether their predictions were written but never committed, what was dead-lettered, and
     * whether the broker deleted predictions.
     */
    private String missing(List<InferenceEvent> events) {
        String bootstrap = kafka.bootstrapServers();
        Set<String> inTopic =
                ids(
                        KafkaClients.plain(bootstrap)
                                .readToEnd("events", InferenceEvent.class, "read_committed"));
        Set<String> committed = predictionIds(bootstrap, "read_committed");
        Set<String> written = predictionIds(bootstrap, "read_uncommitted");
        List<Integer> missing =
                IntStream.range(0, events.size())
                        .filter(i -> !committed.contains(events.get(i).getEventId()))
                        .boxed()
                        .toList();
        long writtenNotCommitted =
                missing.stream().filter(i -> written.contains(events.get(i).getEventId())).count();
        long notInTopic =
                missing.stream().filter(i -> !inTopic.contains(events.get(i).getEventId())).count();
        Map<String, Long> deadLetters =
                KafkaClients.plain(bootstrap)
                        .readToEnd("events.dlq", DeadLetter.class, "read_committed")
                        .stream()
                        .collect(
                                Collectors.groupingBy(
                                        DeadLetter::getReason, Collectors.counting()));
        return missing.size()
                + " events without a committed prediction, at input positions "
                + missing.subList(0, Math.min(20, missing.size()))
                + (missing.size() > 20 ? "..." : "")
                + "; of them not in the events topic: "
                + notInTopic
                + ", written but never committed: "
                + writtenNotCommitted
                + "; dead letters: "
                + deadLetters
                + "; first offsets of predictions by partition (above 0: deleted by retention): "
                + KafkaClients.plain(bootstrap).logStartOffsets("predictions");
    }

    private static Set<String> predictionIds(String bootstrap, String isolation) {
        return KafkaClients.plain(bootstrap)
                .readToEnd("predictions", Prediction.class, isolation)
                .stream()
                .map(Prediction::getEventId)
                .collect(Collectors.toSet());
    }

    private static Set<String> ids(List<InferenceEvent> events) {
        return events.stream().map(InferenceEvent::getEventId).collect(Collectors.toSet());
    }

    /** Ongoing Kafka transactions: what holds back read_committed readers. */
    private String openTransactions() throws Exception {
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", (Object) kafka.bootstrapServers()))) {
            List<String> ids =
                    admin.listTransactions().all().get().stream()
                            .filter(t -> t.state().toString().equals("Ongoing"))
                            .map(TransactionListing::transactionalId)
                            .toList();
            return ids + " " + admin.describeTransactions(ids).all().get();
        }
    }

    /**
     * Events of all sessions interleaved (every session advances a little at a time), in order per
     * session.
     */
    private static List<InferenceEvent> interleaved(List<SyntheticSession> sessions) {
        List<InferenceEvent> events = new ArrayList<>();
        int longest = sessions.stream().mapToInt(s -> s.events().size()).max().orElse(0);
        for (int step = 0; step < longest; step++) {
            for (SyntheticSession session : sessions) {
                if (step < session.events().size()) {
                    events.add(session.events().get(step));
                }
            }
        }
        return events;
    }

    private void produceSteadily(
            List<InferenceEvent> events, AtomicBoolean producing, AtomicInteger sent) {
        int chunk = EVENTS_PER_SECOND / 10;
        try (Topics.EventProducer producer =
                new Topics.EventProducer(kafka.bootstrapServers(), "events")) {
            for (int from = 0; from < events.size() && producing.get(); from += chunk) {
                long next = System.nanoTime() + 100_000_000L;
                int to = Math.min(events.size(), from + chunk);
                producer.send(events.subList(from, to));
                sent.set(to);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("producer failed", e);
        }
    }

    private static long sessionsSpanning(List<Prediction> predictions, Instant at) {
        return predictions.stream()
                .collect(Collectors.groupingBy(Prediction::getSessionId))
                .values()
                .stream()
                .filter(
                        session ->
                                session.stream().anyMatch(p -> p.getScoredTime().isBefore(at))
                                        && session.stream()
                                                .anyMatch(p -> p.getScoredTime().isAfter(at)))
                .count();
    }

    /** The longest pause in committed scoring around each rescale: events waited this long. */
    private static void reportScoringGaps(
            List<Prediction> predictions,
            Instant registeredAt,
            Instant upAt,
            Instant killedAt,
            Instant downAt) {
        List<Instant> scored =
                predictions.stream()
                        .map(Prediction::getScoredTime)
                        .sorted(Comparator.naturalOrder())
                        .toList();
        System.out.printf(
                Locale.ROOT,
                "RESCALE longest scoring pause around scale-up: %d ms; around scale-down: %d ms%n",
                longestGap(scored, registeredAt.minusSeconds(1), upAt.plusSeconds(5)),
                longestGap(scored, killedAt.minusSeconds(2), downAt.plusSeconds(5)));
    }

    private static long longestGap(List<Instant> scored, Instant from, Instant to) {
        List<Instant> window =
                scored.stream().filter(t -> !t.isBefore(from) && !t.isAfter(to)).toList();
        return IntStream.range(1, window.size())
                .mapToLong(i -> Duration.between(window.get(i - 1), window.get(i)).toMillis())
                .max()
                .orElse(-1);
    }

    private static void report(String what, long fromNanos, long toNanos) {
        System.out.printf(Locale.ROOT, "RESCALE %s: %.2f s%n", what, (toNanos - fromNanos) / 1e9);
    }
}
