package io.scorestream.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.bench.SyntheticRecordGenerator;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.operators.inference.InferenceServices;
import io.scorestream.operators.inference.TimeoutPolicy;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference engine inside a real job: one model load per TaskManager for all subtasks, metrics
 * per model version, timeouts that degrade records instead of failing the job, and no memory growth
 * when jobs come and go in one JVM.
 */
class InferenceEngineITCase {

    private static final int PARALLELISM = 2;
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    @TempDir Path checkpoints;

    @Test
    void subtasksShareOneModelLoadAndReportMetricsPerModelVersion() throws Exception {
        Configuration conf = conf("fraud-mlp");
        InferenceServices.Key key = serviceKey(conf, "2");
        int startsBefore = InferenceServices.starts(key);

        JobExecutionResult result = run(conf, 2_000, "metrics");

        assertThat(InferenceServices.starts(key) - startsBefore)
                .as("two subtasks in one TaskManager load the model once")
                .isEqualTo(1);
        assertThat(InferenceServices.running()).as("closed with its last user").isZero();
        List<Prediction> predictions = CollectingSink.collected("metrics-predictions");
        assertThat(predictions).hasSize(2_000);

        Map<String, Metric> metrics = metricsOf(result.getJobID());
        assertThat(sumOfCounters(metrics, ".model.fraud-mlp.version.2.rowsScored"))
                .isEqualTo(2_000);
        assertThat(sumOfHistogramCounts(metrics, ".model.fraud-mlp.version.2.batchSize"))
                .isEqualTo(2_000);
        assertThat(sumOfHistogramCounts(metrics, ".model.fraud-mlp.version.2.computeMicros"))
                .isEqualTo(2_000);
        assertThat(sumOfHistogramCounts(metrics, ".model.fraud-mlp.version.2.endToEndMillis"))
                .isEqualTo(2_000);
        assertThat(matching(metrics, ".model.fraud-mlp.version.2.inFlight"))
                .isNotEmpty()
                .allSatisfy(m -> assertThat(((Gauge<?>) m).getValue()).isEqualTo(0));
        assertThat(matching(metrics, ".model.fraud-mlp.version.2.rowsPerSecond")).isNotEmpty();
        assertThat(matching(metrics, ".model.fraud-mlp.version.2.queueWaitMicros")).isNotEmpty();
        assertThat(sumOfCounters(metrics, ".predictions")).isEqualTo(2_000);
    }

    @Test
    void aTimeoutGivesAFlaggedFallbackPredictionAndTheJobGoesOn() throws Exception {
        Configuration conf = neverFillingBatches(conf("fraud-mlp"));
        conf.set(ScoringOptions.TIMEOUT_POLICY, TimeoutPolicy.FALLBACK);
        conf.set(ScoringOptions.FALLBACK_SCORE, 0.25f);

        run(conf, 300, "fallback");

        List<Prediction> predictions = CollectingSink.collected("fallback-predictions");
        assertThat(predictions).hasSize(300);
        assertThat(predictions)
                .allSatisfy(
                        p -> {
                            assertThat(p.getFallback()).isTrue();
                            assertThat(p.getFallbackReason()).isEqualTo("INFERENCE_TIMEOUT");
                            assertThat(p.getScore()).isEqualTo(0.25f);
                            assertThat(p.getModelVersion()).isEqualTo("2");
                        });
        assertThat(CollectingSink.<DeadLetter>collected("fallback-dead-letters")).isEmpty();
    }

    @Test
    void aTimeoutCanDeadLetterTheEventInstead() throws Exception {
        Configuration conf = neverFillingBatches(conf("intent-gru"));
        conf.set(ScoringOptions.TIMEOUT_POLICY, TimeoutPolicy.DEAD_LETTER);

        run(conf, 300, "timeout-dlq");

        assertThat(CollectingSink.<Prediction>collected("timeout-dlq-predictions")).isEmpty();
        List<DeadLetter> letters = CollectingSink.collected("timeout-dlq-dead-letters");
        assertThat(letters).hasSize(300);
        assertThat(letters.stream().map(DeadLetter::getReason).collect(Collectors.toSet()))
                .containsExactly("INFERENCE_TIMEOUT");
        assertThat(letters).allSatisfy(l -> assertThat(l.getOriginalValue()).isNotNull());
    }

    @Test
    void runningTheJobFiveTimesDoesNotGrowMemory() throws Exception {
        Configuration conf = conf("intent-gru");
        List<long[]> usage = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            run(conf, 3_000, "leak-" + run);
            assertThat(InferenceServices.running()).isZero();
            usage.add(memoryAfterGc());
        }
        // Run 1 warms up class loading, JIT and libtorch's allocator; later runs must not add to
        // it.
        long heapGrowth = usage.get(4)[0] - usage.get(1)[0];
        long residentGrowth = usage.get(4)[1] - usage.get(1)[1];
        assertThat(heapGrowth).as("heap growth from run 2 to run 5, bytes").isLessThan(48L << 20);
        assertThat(residentGrowth)
                .as("resident memory growth from run 2 to run 5, bytes")
                .isLessThan(96L << 20);
    }

    // ---------------------------------------------------------------------------------------

    private Configuration conf(String model) {
        Configuration conf = new Configuration();
        // Kafka is not used here (generator source, collecting sinks); the setting is required.
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, "unused:9092");
        conf.set(ScoringOptions.MODEL_REPOSITORY, ReferenceModels.root().toString());
        conf.set(ScoringOptions.MODEL_NAME, model);
        conf.setString("execution.checkpointing.interval", "1 s");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        return conf;
    }

    /** Batches that can never fill before the async timeout: every request times out. */
    private static Configuration neverFillingBatches(Configuration conf) {
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 10_000);
        conf.set(ScoringOptions.QUEUE_CAPACITY, 10_000);
        conf.set(ScoringOptions.MAX_DELAY, Duration.ofMinutes(10));
        conf.set(ScoringOptions.ASYNC_TIMEOUT, Duration.ofMillis(300));
        return conf;
    }

    private static InferenceServices.Key serviceKey(Configuration conf, String version) {
        ScoringSettings settings = ScoringSettings.from(conf);
        return new InferenceServices.Key(
                settings.inference().modelRepository(), settings.modelName(), version, "cpu");
    }

    private static JobExecutionResult run(Configuration conf, long events, String name)
            throws Exception {
        ScoringSettings settings = ScoringSettings.from(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        env.setParallelism(PARALLELISM);
        ScoringPipeline.Outputs outputs =
                new ScoringPipeline(settings)
                        .score(
                                env.fromSource(
                                        SyntheticRecordGenerator.source(3, events, 0),
                                        WatermarkStrategy.noWatermarks(),
                                        "Synthetic events"),
                                ScoringPipeline.microBatchedAsync());
        outputs.predictions()
                .sinkTo(new CollectingSink<>(name + "-predictions"))
                .name("Predictions");
        outputs.deadLetters()
                .sinkTo(new CollectingSink<>(name + "-dead-letters"))
                .name("Dead letters");
        return env.execute(name);
    }

    /** Every metric of the job by identifier (the reporter's own lookup trips over duplicates). */
    private static Map<String, Metric> metricsOf(JobID job) {
        Map<String, Metric> metrics = new HashMap<>();
        REPORTER.getMetricsByGroup()
                .forEach(
                        (group, byName) -> {
                            if (job.toString().equals(group.getAllVariables().get("<job_id>"))) {
                                byName.forEach(
                                        (name, metric) ->
                                                metrics.put(
                                                        group.getMetricIdentifier(name), metric));
                            }
                        });
        return metrics;
    }

    private static List<Metric> matching(Map<String, Metric> metrics, String suffix) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().endsWith(suffix))
                .map(Map.Entry::getValue)
                .toList();
    }

    private static long sumOfCounters(Map<String, Metric> metrics, String suffix) {
        return matching(metrics, suffix).stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    private static long sumOfHistogramCounts(Map<String, Metric> metrics, String suffix) {
        return matching(metrics, suffix).stream().mapToLong(m -> ((Histogram) m).getCount()).sum();
    }

    /** Heap in use after a full GC, and the process's resident set size, in bytes. */
    private static long[] memoryAfterGc() throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long residentKb =
                Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(line -> line.startsWith("VmRSS:"))
                        .map(line -> line.replaceAll("[^0-9]", ""))
                        .mapToLong(Long::parseLong)
                        .findFirst()
                        .orElseThrow();
        return new long[] {heap, residentKb * 1024};
    }
}
