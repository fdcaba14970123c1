package io.scorestream.jobs.demo;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringJob;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.config.StartingOffsets;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.local.LocalFlinkCluster;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code scorestream demo}: an embedded Kafka broker, the scoring job on a local Flink with RocksDB
 * and exactly-once checkpoints, a synthetic producer, and a read_committed consumer that reports
 * progress once a second and a SUMMARY line at the end.
 */
public final class DemoRunner {

    private final DemoOptions options;
    private final PrintStream out;

    public DemoRunner(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the demo; returns the process exit code (0 when every event was accounted for). */
    public int run() throws Exception {
        Files.createDirectories(options.workDirectory());
        if (options.bootstrap() != null) {
            return runAgainst(options.bootstrap());
        }
        Path brokerData = Files.createTempDirectory(options.workDirectory(), "kafka-");
        out.println("Starting an embedded Kafka broker...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(brokerData, Map.of())) {
            out.println("Kafka is up at " + kafka.bootstrapServers());
            return runAgainst(kafka.bootstrapServers());
        }
    }

    private int runAgainst(String bootstrap) throws Exception {
        Configuration conf = jobConfiguration(bootstrap);
        ScoringSettings settings = ScoringSettings.from(conf);
        EmbeddedKafka.createTopics(
                bootstrap,
                options.partitions(),
                List.of(
                        settings.kafka().eventsTopic(),
                        settings.kafka().predictionsTopic(),
                        settings.kafka().deadLetterTopic(),
                        settings.rollout().controlTopic()));

        Configuration flinkConf = FlinkSetup.forScoring(conf, settings);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        env.setParallelism(options.parallelism());
        ScoringJob job = ScoringJob.onKafka(settings);
        job.build(env);
        out.printf(
                Locale.ROOT,
                "Scoring with %s:%s (held-out AUC %.3f), parallelism %d, checkpoints every %s%n",
                job.manifest().name(),
                job.manifest().version(),
                job.manifest().heldoutAuc(),
                options.parallelism(),
                options.checkpointInterval());
        try (LocalFlinkCluster flink = LocalFlinkCluster.start(flinkConf, options.parallelism())) {
            JobID jobId = flink.submit(env);
            try {
                flink.awaitAllTasksRunning(jobId, Duration.ofMinutes(2));
                return produceAndWatch(bootstrap, settings, job.manifest().label(), flink, jobId);
            } finally {
                flink.cancel(jobId);
            }
        }
    }

    private int produceAndWatch(
            String bootstrap,
            ScoringSettings settings,
            String labelName,
            LocalFlinkCluster flink,
            JobID jobId)
            throws Exception {
        Map<String, Boolean> labels = new ConcurrentHashMap<>();
        PredictionMonitor monitor =
                new PredictionMonitor(
                        bootstrap,
                        settings.kafka().predictionsTopic(),
                        settings.kafka().deadLetterTopic(),
                        labels);
        SyntheticEventProducer producer =
                new SyntheticEventProducer(
                        bootstrap,
                        settings.kafka().eventsTopic(),
                        options.seed(),
                        options.rate(),
                        options.duration(),
                        labelName,
                        labels);
        Thread monitorThread = new Thread(monitor, "demo-monitor");
        Thread producerThread = new Thread(producer, "demo-producer");
        monitorThread.start();
        long started = System.currentTimeMillis();
        monitor.measureLatencyFrom(started + options.warmup().toMillis());
        producerThread.start();
        out.printf(
                "Producing %d events/s for %s (latency counted after a %s warm-up)...%n",
                options.rate(), options.duration(), options.warmup());

        Duration drainLimit =
                Duration.ofSeconds(30).plus(options.checkpointInterval().multipliedBy(5));
        long drainDeadline = Long.MAX_VALUE;
        long lastSent = 0;
        PredictionMonitor.Snapshot snapshot;
        while (true) {
            Thread.sleep(1000);
            snapshot = monitor.snapshotAndResetWindow();
            long sent = producer.sent();
            printProgress(started, sent, sent - lastSent, snapshot);
            lastSent = sent;
            if (producer.failure() != null || monitor.failure() != null) {
                break;
            }
            if (flink.status(jobId).isGloballyTerminalState()) {
                out.println("The job stopped: " + flink.status(jobId));
                break;
            }
            if (!producerThread.isAlive()) {
                if (drainDeadline == Long.MAX_VALUE) {
                    drainDeadline = System.currentTimeMillis() + drainLimit.toMillis();
                    out.println("Producer done; waiting for the last checkpoint to commit...");
                }
                if (snapshot.scored() + snapshot.deadLetters() >= producer.acknowledged()
                        || System.currentTimeMillis() > drainDeadline) {
                    break;
                }
            }
        }
        producerThread.interrupt();
        producerThread.join();
        monitor.stop();
        monitorThread.join();
        snapshot = monitor.snapshotAndResetWindow();
        return summarize(producer, monitor, snapshot);
    }

    private int summarize(
            SyntheticEventProducer producer,
            PredictionMonitor monitor,
            PredictionMonitor.Snapshot snapshot) {
        if (producer.failure() != null) {
            out.println("Producer failed: " + producer.failure());
        }
        if (monitor.failure() != null) {
            out.println("Consumer failed: " + monitor.failure());
        }
        long events = producer.acknowledged();
        double seconds =
                Math.max(1, snapshot.lastScoredTime() - snapshot.firstEventTime()) / 1000.0;
        double throughput = snapshot.scored() == 0 ? 0 : snapshot.scored() / seconds;
        out.printf(
                Locale.ROOT,
                "Latency after the %s warm-up: event time to prediction p50 %d ms p99 %d ms;"
                        + " to read_committed consumer p50 %d ms (follows the checkpoint interval);"
                        + " duplicates seen %d%n",
                options.warmup(),
                snapshot.p50Millis(),
                snapshot.p99Millis(),
                snapshot.visibleP50Millis(),
                snapshot.duplicates());
        out.printf(
                Locale.ROOT,
                "SUMMARY events=%d scored=%d dlq=%d throughput_eps=%.1f p50_ms=%d p99_ms=%d auc=%.4f%n",
                events,
                snapshot.scored(),
                snapshot.deadLetters(),
                throughput,
                snapshot.p50Millis(),
                snapshot.p99Millis(),
                monitor.auc());
        boolean complete =
                producer.failure() == null
                        && monitor.failure() == null
                        && snapshot.scored() + snapshot.deadLetters() == events
                        && snapshot.duplicates() == 0;
        return complete ? 0 : 1;
    }

    private void printProgress(
            long started, long sent, long sentThisSecond, PredictionMonitor.Snapshot s) {
        out.printf(
                Locale.ROOT,
                "[%4ds] events in %8d (%5d/s) | predictions out %8d | dlq %d | batch %5.1f | e2e %s"
                        + " | visible p50 %d ms%n",
                (System.currentTimeMillis() - started) / 1000,
                sent,
                sentThisSecond,
                s.scored(),
                s.deadLetters(),
                s.meanBatchSize(),
                s.windowCount() == 0
                        ? "(next commit)"
                        : String.format(
                                Locale.ROOT,
                                "p50 %d ms p99 %d ms",
                                s.windowP50Millis(),
                                s.windowP99Millis()),
                s.visibleP50Millis());
    }

    private Configuration jobConfiguration(String bootstrap) {
        String runId = "scorestream-demo-" + options.seed();
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(ScoringOptions.MODEL_REPOSITORY, options.modelRepository().toString());
        conf.set(ScoringOptions.MODEL_NAME, options.model());
        conf.set(ScoringOptions.GROUP_ID, runId);
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, runId);
        conf.set(ScoringOptions.STARTING_OFFSETS, StartingOffsets.EARLIEST);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                options.workDirectory().resolve("checkpoints").toAbsolutePath().toUri().toString());
        return conf;
    }
}
