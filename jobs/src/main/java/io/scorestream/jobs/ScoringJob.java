package io.scorestream.jobs;

import io.scorestream.jobs.ScoringPipeline.Uids;
import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.ControlTopic;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.ModelRollout;
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

    /** Operator names of the Kafka ends, which the local run finds the job's counters by. */
    public static final String SOURCE_NAME = "Kafka events";

    public static final String PREDICTION_SINK_NAME = "Kafka predictions";
    public static final String DEAD_LETTER_SINK_NAME = "Kafka dead letters";

    private final Source<RawRecord, ?, ?> source;
    private final Source<ModelRollout, ?, ?> controlSource;
    private final Sink<Prediction> predictionSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final Sink<ModelRollout> controlSink;
    private final ScoringPipeline pipeline;

    /**
     * @param source the events
     * @param controlSource the control topic's rollout records
     * @param predictionSink where predictions go
     * @param deadLetterSink where rejected events go
     * @param controlSink where the rollback guard's decisions go (the control topic)
     * @param settings the validated settings
     */
    public ScoringJob(
            Source<RawRecord, ?, ?> source,
            Source<ModelRollout, ?, ?> controlSource,
            Sink<Prediction> predictionSink,
            Sink<DeadLetter> deadLetterSink,
            Sink<ModelRollout> controlSink,
            ScoringSettings settings) {
        this.source = source;
        this.controlSource = controlSource;
        this.predictionSink = predictionSink;
        this.deadLetterSink = deadLetterSink;
        this.controlSink = controlSink;
        this.pipeline = new ScoringPipeline(settings);
    }

    /** The job on Kafka: events, predictions, dead letters and the control topic. */
    public static ScoringJob onKafka(ScoringSettings settings) {
        KafkaSettings kafka = settings.kafka();
        String control = settings.rollout().controlTopic();
        return new ScoringJob(
                KafkaConnectors.eventSource(kafka),
                ControlTopic.source(kafka, control),
                KafkaConnectors.predictionSink(kafka),
                KafkaConnectors.deadLetterSink(kafka),
                ControlTopic.sink(kafka, control),
                settings);
    }

    /** The manifest of the model version this job serves. */
    public ModelManifest manifest() {
        return pipeline.manifest();
    }

    /** Adds the whole job (source, pipeline, sinks) to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<RawRecord> records =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), SOURCE_NAME)
                        .uid(Uids.SOURCE);
        DataStream<ModelRollout> control =
                env.fromSource(controlSource, WatermarkStrategy.noWatermarks(), "Kafka control")
                        .setParallelism(1)
                        .uid(Uids.CONTROL_SOURCE);
        ScoringPipeline.Outputs outputs = pipeline.score(records, control);
        outputs.predictions()
                .sinkTo(predictionSink)
                .name(PREDICTION_SINK_NAME)
                .uid(Uids.PREDICTION_SINK);
        outputs.deadLetters()
                .sinkTo(deadLetterSink)
                .name(DEAD_LETTER_SINK_NAME)
                .uid(Uids.DEAD_LETTER_SINK);
        outputs.rolloutDecisions()
                .sinkTo(controlSink)
                .name("Kafka control (rollbacks)")
                .uid(Uids.CONTROL_SINK);
    }
}
