package io.scorestream.jobs.bench;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.local.LocalFlinkCluster;
import io.scorestream.jobs.local.LocalMemory;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelLocation;
import io.scorestream.model.ModelRepository;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.features.ModelTarget;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.util.TimeUtils;

/**
 * {@code scorestream bench}: for each reference model, the bare model at several batch sizes, the
 * naive per-record job, ScoreStream without Kafka, and Kafka → Flink → Kafka with and without the
 * model — all on this machine, in one go.
 */
public final class BenchRunner {

    private static final int[] BATCH_SIZES = {1, 8, 32, 64, 128, 256};

    /** Batch sizes between the powers of two above, for the padding comparison. */
    private static final int[] UNEVEN_BATCH_SIZES = {5, 24, 48, 96, 192};

    /** The model the Python peer scores. */
    private static final String PEER_MODEL = "fraud-mlp";

    private final BenchOptions options;
    private final PrintStream out;
    private final BenchTimings timings;

    public BenchRunner(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.timings = options.quick() ? BenchTimings.quick() : BenchTimings.full();
    }

    public int run() throws Exception {
        Path work = Files.createDirectories(Path.of(".scorestream", "bench"));
        out.printf(
                "Benchmarking %s: parallelism %d, max batch size %d, max delay %d ms, %d inference"
                        + " worker(s), %s run; Kafka cases: %d events each, %d sessions open at"
                        + " once, checkpoints every %s; RocksDB managed memory %s%n",
                options.models(),
                options.parallelism(),
                options.maxBatchSize(),
                options.maxDelay().toMillis(),
                options.workerThreads(),
                options.quick() ? "quick" : "full",
                options.events(),
                options.liveSessions(),
                TimeUtils.formatWithHighestUnit(options.checkpointInterval()),
                options.managedMemory() != null
                        ? options.managedMemory().toHumanReadableString()
                        : LocalMemory.PER_SLOT.toHumanReadableString() + " per slot");
        List<BenchResult> results = new ArrayList<>();
        List<OverloadReport> overloads = new ArrayList<>();
        List<PaddingComparison> paddings = new ArrayList<>();
        List<Drain> drains = new ArrayList<>();
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Files.createTempDirectory(work, "kafka-"), Map.of())) {
            for (String model : options.models()) {
                Configuration scoringConf = scoringConfiguration(kafka, model, work);
                ScoringSettings settings = ScoringSettings.from(scoringConf);
                Configuration flinkConf = flinkConfiguration(scoringConf, settings);
                if (options.runs("bare")) {
                    results.addAll(bare(settings, paddings));
                }
                try (LocalFlinkCluster flink =
                        LocalFlinkCluster.start(flinkConf, options.parallelism())) {
                    GeneratorCases generated =
                            new GeneratorCases(
                                    flink, flinkConf, settings, options.parallelism(), timings);
                    if (options.runs("naive")) {
                        results.add(report(generated.run("naive", BaselineStages.perRecordMap())));
                    }
                    if (options.runs("scorestream")) {
                        results.add(
                                report(
                                        generated.run(
                                                "scorestream",
                                                ScoringPipeline.microBatchedAsync())));
                    }
                    if (options.runs("passthrough")) {
                        results.add(report(generated.run("passthrough", BaselineStages.noModel())));
                    }
                    if (options.runsKafka()) {
                        KafkaCases viaKafka =
                                new KafkaCases(
                                        kafka,
                                        flink,
                                        flinkConf,
                                        scoringConf,
                                        options.parallelism(),
                                        timings,
                                        options.events(),
                                        options.liveSessions());
                        results.addAll(kafkaCases(viaKafka, settings, work, overloads));
                        drains.addAll(viaKafka.drains());
                    }
                }
            }
        }
        BenchReport.print(results, drains, options.models(), options.maxBatchSize(), out);
        paddings.forEach(p -> out.println(p.line()));
        overloads.forEach(o -> out.println(o.line()));
        return 0;
    }

    /** The Kafka cases chosen, each reported as it ends; the overload run after the scoring job. */
    private List<BenchResult> kafkaCases(
            KafkaCases viaKafka,
            ScoringSettings settings,
            Path work,
            List<OverloadReport> overloads)
            throws Exception {
        List<BenchResult> results = new ArrayList<>();
        if (options.runs("kafka-copy")) {
            results.add(report(viaKafka.copy(), viaKafka));
        }
        if (options.runs("passthrough-kafka")) {
            results.add(report(viaKafka.passthrough(), viaKafka));
        }
        BenchResult scoring = null;
        if (options.runs("scorestream-kafka")) {
            scoring = report(viaKafka.scoring(), viaKafka);
            results.add(scoring);
        }
        if (options.runs("scorestream-kafka-ordered")) {
            results.add(report(viaKafka.scoringPerKeyOrdered(), viaKafka));
        }
        if (options.runs("peer-python")) {
            peer(viaKafka, settings, work).ifPresent(results::add);
        }
        if (scoring != null && options.overload() != null) {
            OverloadReport overload =
                    viaKafka.overload(scoring.rowsPerSecond(), 3.0, options.overload());
            out.println(overload.line());
            overloads.add(overload);
        }
        return results;
    }

    /** The Python peer's case, or nothing (and why) where it cannot run. */
    private Optional<BenchResult> peer(KafkaCases viaKafka, ScoringSettings settings, Path work)
            throws Exception {
        if (!settings.modelName().equals(PEER_MODEL)) {
            out.println(
                    "PEER skipped model="
                            + settings.modelName()
                            + ": the Python peer scores "
                            + PEER_MODEL
                            + " only");
            return Optional.empty();
        }
        ModelLocation served =
                ModelRepository.at(Path.of(settings.inference().modelRepository()))
                        .resolveLatest(PEER_MODEL);
        try {
            return Optional.of(
                    report(
                            viaKafka.peer(
                                    new PythonPeer.Launch(
                                            options.peerScript().toAbsolutePath(),
                                            served.artifactPath(),
                                            served.manifest().version(),
                                            options.modelRepository().toAbsolutePath(),
                                            Files.createDirectories(work.resolve("peer")))),
                            viaKafka));
        } catch (PythonPeer.Skipped skipped) {
            out.println("PEER skipped model=" + PEER_MODEL + ": " + skipped.getMessage());
            return Optional.empty();
        }
    }

    /** Prints a Kafka case's line and the DRAIN line of its full-speed run. */
    private BenchResult report(BenchResult result, KafkaCases viaKafka) {
        List<Drain> drains = viaKafka.drains();
        out.println(drains.get(drains.size() - 1).line());
        return report(result);
    }

    /**
     * The Flink settings of every case: the job's, the managed memory asked for, and the reporter
     * that reads RocksDB's estimates of the session state.
     */
    private Configuration flinkConfiguration(Configuration scoringConf, ScoringSettings settings) {
        Configuration flinkConf = FlinkSetup.forScoring(scoringConf, settings);
        if (options.managedMemory() != null) {
            flinkConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, options.managedMemory());
        }
        SessionStateGauges.enable(flinkConf);
        return flinkConf;
    }

    /**
     * The bare model at each of {@link #BATCH_SIZES}; then at sizes between them, each compared
     * with its padded size, one {@code PADDING} line each (added to {@code paddings}).
     */
    private List<BenchResult> bare(ScoringSettings settings, List<PaddingComparison> paddings) {
        List<BenchResult> results = new ArrayList<>();
        try (ScoringModel model =
                ModelLoader.load(
                        ModelRepository.at(Path.of(settings.inference().modelRepository()))
                                .resolveLatest(settings.modelName()),
                        settings.inference().loadOptions())) {
            float[][] inputs =
                    SampleInputs.of(
                            model.manifest(),
                            4096,
                            ModelTarget.of(model.manifest()).historyNeeded());
            Map<Integer, BenchResult> bySize = new HashMap<>();
            for (int batchSize : BATCH_SIZES) {
                BenchResult result = report(bare(model, inputs, batchSize));
                results.add(result);
                bySize.put(batchSize, result);
            }
            for (int rows : UNEVEN_BATCH_SIZES) {
                int paddedTo = PaddingComparison.paddedSize(rows);
                PaddingComparison padding =
                        PaddingComparison.of(
                                bare(model, inputs, rows), rows, bySize.get(paddedTo), paddedTo);
                out.println(padding.line());
                paddings.add(padding);
            }
        }
        return results;
    }

    private BenchResult bare(ScoringModel model, float[][] inputs, int batchSize) {
        return BareModelBenchmark.run(
                model, inputs, batchSize, timings.bareWarmup(), timings.bareMeasure());
    }

    private BenchResult report(BenchResult result) {
        out.println(result.benchLine());
        return result;
    }

    private Configuration scoringConfiguration(EmbeddedKafka kafka, String model, Path work) {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(ScoringOptions.MODEL_REPOSITORY, options.modelRepository().toString());
        conf.set(ScoringOptions.MODEL_NAME, model);
        conf.set(ScoringOptions.MAX_BATCH_SIZE, options.maxBatchSize());
        conf.set(ScoringOptions.MAX_DELAY, options.maxDelay());
        conf.set(ScoringOptions.WORKER_THREADS, options.workerThreads());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.resolve("checkpoints").toAbsolutePath().toUri().toString());
        return conf;
    }
}
