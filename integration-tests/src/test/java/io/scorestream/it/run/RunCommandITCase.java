package io.scorestream.it.run;

import static io.scorestream.it.failures.JobRuns.assertAsUninterrupted;
import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/scorestream run} as a user runs it, in a process of its own against the test's broker,
 * with the README's kind of command line. Killed with SIGKILL mid-stream (after a completed
 * checkpoint, with predictions written but not committed) and started again with the same command,
 * it resumes from its last checkpoint: every event gets exactly one committed prediction, none
 * lost, none duplicated, and every session continues its count where it was. Stopped with SIGTERM,
 * it takes a savepoint and exits 0; the next run resumes from the savepoint. Each run logs to a
 * file of its own, free of Flink's known metric name collisions.
 */
class RunCommandITCase {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern EVENTS_IN = Pattern.compile("events in +(\\d+) ");

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path work;

    @Test
    void aKilledRunResumesExactlyOnceAndAStoppedOneFromItsSavepoint() throws Exception {
        Configuration conf =
                JobRuns.configuration(
                        "run-command", KAFKA.bootstrapServers(), work.resolve("checkpoints"));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        List<String> command = commandLine(conf);
        Path root = Path.of(System.getProperty("scorestream.root", "..")).toAbsolutePath();
        Path state = work.resolve("state");
        String events = conf.get(ScoringOptions.EVENTS_TOPIC);
        List<SyntheticSession> sessions = TestJobs.sessions(31, 160);
        List<List<InferenceEvent>> parts = thirds(sessions);

        KAFKA.clients().publish(events, keyedBySession(parts.get(0)));
        List<String> logs = new ArrayList<>();
        try (RunProcess first = RunProcess.start(root, state, command)) {
            first.awaitLine(line -> line.startsWith("Starting fresh"), START);
            logs.add(logFile(first));
            // Committed predictions: a checkpoint has completed.
            awaitPredictions(KAFKA.clients(), conf, parts.get(0).size());
            Publisher publisher = Publisher.start(events, parts.get(1));
            // Killed while predictions are written but not committed: the pipeline scores the
            // second part within a checkpoint interval, so the kill waits for that moment.
            awaitOpenTransaction(conf);
            first.kill();
            assertThat(first.output()).as("progress lines").containsPattern(EVENTS_IN);

            try (RunProcess second = RunProcess.start(root, state, command)) {
                second.awaitLine(line -> line.matches("Resuming job .* from checkpoint .*"), START);
                logs.add(logFile(second));
                publisher.await();
                awaitPredictions(KAFKA.clients(), conf, parts.get(0).size() + parts.get(1).size());
                assertThat(second.stop(START)).as("exit code after SIGTERM").isZero();
                assertThat(second.output()).contains("Stopped with savepoint");
            }
        }

        KAFKA.clients().publish(events, keyedBySession(parts.get(2)));
        List<Prediction> predictions;
        try (RunProcess third = RunProcess.start(root, state, command)) {
            third.awaitLine(line -> line.matches("Resuming job .* from savepoint .*"), START);
            logs.add(logFile(third));
            predictions = awaitPredictions(KAFKA.clients(), conf, TestJobs.events(sessions).size());
            assertThat(third.stop(START)).as("exit code after SIGTERM").isZero();
        }

        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertAsUninterrupted(predictions, JobRuns.Uninterrupted.of(conf, sessions));
        assertThat(logs).as("one log file per run").doesNotHaveDuplicates();
        for (String log : logs) {
            assertThat(Path.of(log)).as("the log of every run, the killed one's too").exists();
            assertThat(Files.readString(Path.of(log))).doesNotContain("Name collision");
        }
    }

    /** Waits until the predictions topic holds records of a transaction not yet committed. */
    private static void awaitOpenTransaction(Configuration conf) throws Exception {
        String predictions = conf.get(ScoringOptions.PREDICTIONS_TOPIC);
        long deadline = System.nanoTime() + START.toNanos();
        while (!JobRuns.hasOpenTransaction(
                JobRuns.stableAndEndOffsets(KAFKA.bootstrapServers(), predictions))) {
            assertThat(System.nanoTime())
                    .as("predictions written but not committed while the run scores")
                    .isLessThan(deadline);
        }
    }

    /** The job's settings as {@code --key value} arguments, as a user passes them. */
    private static List<String> commandLine(Configuration conf) {
        List<String> arguments = new ArrayList<>();
        for (Map.Entry<String, String> setting : conf.toMap().entrySet()) {
            arguments.add("--" + setting.getKey());
            arguments.add(setting.getValue());
        }
        arguments.addAll(List.of("--parallelism.default", "2", "--progress-interval", "1 s"));
        return arguments;
    }

    private static String logFile(RunProcess run) throws InterruptedException {
        return run.awaitLine(line -> line.startsWith("Log: "), START).substring("Log: ".length());
    }

    /** Each session's first 30 %, next 40 % and last 30 % of events. */
    private static List<List<InferenceEvent>> thirds(List<SyntheticSession> sessions) {
        List<List<InferenceEvent>> parts =
                List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (SyntheticSession session : sessions) {
            List<InferenceEvent> all = session.events();
            int a = Math.max(1, all.size() * 3 / 10);
            int b = Math.max(a, all.size() * 7 / 10);
            parts.get(0).addAll(all.subList(0, a));
            parts.get(1).addAll(all.subList(a, b));
            parts.get(2).addAll(all.subList(b, all.size()));
        }
        return parts;
    }

    /** Publishes events in small batches on a thread of its own, so they keep arriving. */
    private static final class Publisher {
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        private Publisher(String topic, List<InferenceEvent> events) {
            thread =
                    new Thread(
                            () -> {
                                try {
                                    for (int from = 0; from < events.size(); from += 50) {
                                        KAFKA.clients()
                                                .publish(
                                                        topic,
                                                        keyedBySession(
                                                                events.subList(
                                                                        from,
                                                                        Math.min(
                                                                                events.size(),
                                                                                from + 50))));
                                    }
                                } catch (Throwable e) {
                                    failure.set(e);
                                }
                            },
                            "run-command-publisher");
        }

        static Publisher start(String topic, List<InferenceEvent> events) {
            Publisher publisher = new Publisher(topic, events);
            publisher.thread.start();
            return publisher;
        }

        void await() throws InterruptedException {
            thread.join(START.toMillis());
            assertThat(thread.isAlive()).as("publisher still running").isFalse();
            assertThat(failure.get()).as("publisher failure").isNull();
        }
    }
}
