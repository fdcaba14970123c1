package io.scorestream.jobs.bench;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.ScoringPipeline.InferenceStage;
import io.scorestream.jobs.config.CheckpointSettings;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.local.LocalFlinkCluster;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.Prediction;
import java.util.Locale;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Cases without Kafka: a synthetic generator source, the pipeline with a given inference step, and
 * a sink that times each prediction. First at full speed (throughput), then at half of it
 * (end-to-end latency from generation to sink).
 *
 * <p>Checkpoints are at-least-once here, at the job's default interval: nothing leaves these jobs,
 * so exactly-once would only add barrier alignment to the latency that the engine's target leaves
 * it out of. The half-load phase is paced by {@link SteadyRate}, without bursts.
 */
final class GeneratorCases {

    private final LocalFlinkCluster flink;
    private final Configuration flinkConf;
    private final ScoringSettings settings;
    private final int parallelism;
    private final BenchTimings timings;

    GeneratorCases(
            LocalFlinkCluster flink,
            Configuration flinkConf,
            ScoringSettings settings,
            int parallelism,
            BenchTimings timings) {
        this.flink = flink;
        this.flinkConf = new Configuration(flinkConf);
        this.flinkConf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.AT_LEAST_ONCE);
        this.flinkConf.set(
                CheckpointingOptions.CHECKPOINTING_INTERVAL, CheckpointSettings.DEFAULT_INTERVAL);
        this.settings = settings;
        this.parallelism = parallelism;
        this.timings = timings;
    }

    BenchResult run(String caseName, InferenceStage inference) throws Exception {
        Recorder full = measure(caseName, inference, 0);
        Recorder half = measure(caseName, inference, full.rowsPerSecond() / 2);
        return new BenchResult(
                caseName,
                settings.modelName(),
                full.rowsPerSecond(),
                half.percentileMillis(0.50),
                half.percentileMillis(0.99),
                String.format(
                        Locale.ROOT,
                        "event to sink, at 50 %% load (%.0f/s), at-least-once",
                        half.rowsPerSecond()));
    }

    private Recorder measure(String caseName, InferenceStage inference, double rate)
            throws Exception {
        String name = caseName + "/" + settings.modelName() + "/" + (long) rate;
        Recorder.forget(name);
        Recorder recorder = Recorder.named(name);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        env.setParallelism(parallelism);
        DataStream<RawRecord> records =
                env.fromSource(
                                SyntheticRecordGenerator.source(7, Long.MAX_VALUE, rate),
                                WatermarkStrategy.noWatermarks(),
                                "Synthetic events")
                        .uid(ScoringPipeline.Uids.SOURCE);
        ScoringPipeline.Outputs outputs = new ScoringPipeline(settings).score(records, inference);
        outputs.predictions()
                .sinkTo(
                        new MeasuringSink<>(
                                name, (Prediction p) -> p.getEventTime().toEpochMilli()))
                .name("Measure");
        outputs.deadLetters().sinkTo(new DiscardingSink<>()).name("Discard dead letters");

        JobID job = flink.submit(env);
        try {
            flink.awaitAllTasksRunning(job, java.time.Duration.ofMinutes(2));
            Thread.sleep(timings.warmup().toMillis());
            recorder.startWindow();
            Thread.sleep(timings.measure().toMillis());
            recorder.endWindow();
        } finally {
            flink.cancel(job);
        }
        return recorder;
    }
}
