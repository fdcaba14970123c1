package io.scorestream.jobs;

import io.scorestream.jobs.ScoringPipeline.Uids;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scoring job: a source of raw records, the {@link ScoringPipeline}, and sinks for predictions
 * and dead letters. {@code main} passes Kafka; tests and benchmarks pass their own ends.
 */
public final class ScoringJob {

    private final Source<RawRecord, ?, ?> source;
    private final Sink<Prediction> predictionSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final ScoringPipeline pipeline;

    public ScoringJob(
            Source<RawRecord, ?, ?> source,
            Sink<Prediction> predictionSink,
            Sink<DeadLetter> deadLetterSink,
            ScoringSettings settings) {
        this.source = source;
        this.predictionSink = predictionSink;
        this.deadLetterSink = deadLetterSink;
        this.pipeline = new ScoringPipeline(settings);
    }

    /** The manifest of the model version this job serves. */
    public ModelManifest manifest() {
        return pipeline.manifest();
    }

    /** Adds the whole job (source, pipeline, sinks) to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<RawRecord> records =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka events")
                        .uid(Uids.SOURCE);
        ScoringPipeline.Outputs outputs = pipeline.score(records);
        outputs.predictions()
                .sinkTo(predictionSink)
                .name("Kafka predictions")
                .uid(Uids.PREDICTION_SINK);
        outputs.deadLetters()
                .sinkTo(deadLetterSink)
                .name("Kafka dead letters")
                .uid(Uids.DEAD_LETTER_SINK);
    }
}
