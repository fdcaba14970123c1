package io.scorestream.jobs;

import io.scorestream.jobs.config.AsyncSettings;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.assemble.PredictionAssembler;
import io.scorestream.operators.budget.ComputeBudgets;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.features.SessionFeaturizer;
import io.scorestream.operators.inference.InferenceFunction;
import io.scorestream.operators.inference.InferenceOperatorFactory;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.RequestBundle;
import io.scorestream.operators.inference.RequestBundler;
import io.scorestream.operators.inference.ServiceWarmer;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.DecodedEventTypeInfo;
import io.scorestream.operators.ingest.EventDecoder;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.rollout.RolloutGuards;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.routing.VersionWarmer;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.Prediction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The scoring pipeline between a source of raw records and the sinks: decode and validate → session
 * featurizer (keyed by session, state in RocksDB) → async micro-batched inference → predictions,
 * with every reject on the dead-letter stream.
 */
public final class ScoringPipeline {

    /** Stable operator ids: savepoints map state to these, so they never change. */
    public static final class Uids {
        public static final String SOURCE = "events-source";
        public static final String CONTROL_SOURCE = "control-source";
        public static final String CONTROL_SINK = "control-sink";
        public static final String DECODER = "event-decoder";
        public static final String WATERMARKS = "event-time";
        public static final String FEATURIZER = "session-featurizer";
        public static final String BUNDLER = "request-bundler";
        public static final String INFERENCE = "async-inference";
        public static final String ASSEMBLER = "prediction-assembler";
        public static final String PREDICTION_SINK = "predictions-sink";
        public static final String DEAD_LETTER_SINK = "dead-letters-sink";

        private Uids() {}
    }

    /**
     * What the pipeline emits: predictions, dead letters, and the rollback guard's decisions for
     * the control topic.
     */
    public record Outputs(
            DataStream<Prediction> predictions,
            DataStream<DeadLetter> deadLetters,
            DataStream<ModelRollout> rolloutDecisions) {}

    /** How requests become results; ScoreStream's own is {@link #microBatchedAsync()}. */
    @FunctionalInterface
    public interface InferenceStage {
        DataStream<InferenceResult> apply(
                DataStream<InferenceRequest> requests, ServingPlan plan, ScoringSettings settings);

        /**
         * What loads the versions of a rollout before it comes in force, where this stage will look
         * for them; none by default (a version loads when its first event needs it).
         */
        default VersionWarmer warmer(ScoringSettings settings) {
            return VersionWarmer.none();
        }
    }

    /**
     * Flink's async operator around the TaskManager's shared micro-batching service, with the
     * configured timeout and in-flight capacity, fed bundles of requests by a {@link
     * RequestBundler} chained in front of it; the models' answers are handled on the operator's own
     * thread (see {@link InferenceOperatorFactory}). Results leave unordered, or in each subtask's
     * arrival order ({@code scorestream.inference.output-order}).
     */
    public static InferenceStage microBatchedAsync() {
        return new InferenceStage() {
            @Override
            public DataStream<InferenceResult> apply(
                    DataStream<InferenceRequest> requests,
                    ServingPlan plan,
                    ScoringSettings settings) {
                AsyncSettings async = settings.async();
                DataStream<RequestBundle> bundles =
                        requests.transform(
                                        "Bundle requests",
                                        TypeInformation.of(RequestBundle.class),
                                        new RequestBundler(async.bundleSize(), async.bundleDelay()))
                                .uid(Uids.BUNDLER);
                return bundles.transform(
                                "Inference",
                                TypeInformation.of(InferenceResult.class),
                                new InferenceOperatorFactory(
                                        new InferenceFunction(plan, settings.inference()),
                                        async.timeout(),
                                        async.bundleCapacity(),
                                        async.outputOrder().asyncMode()))
                        .name("Inference " + String.join(", ", plan.targets().keySet()))
                        .uid(Uids.INFERENCE);
            }

            /** The TaskManager's shared services, as the inference operator asks for them. */
            @Override
            public VersionWarmer warmer(ScoringSettings settings) {
                return new ServiceWarmer(settings.inference());
            }
        };
    }

    private final ScoringSettings settings;
    private final ModelManifest manifest;
    private final ServingPlan plan;

    /** Resolves the configured model versions; a missing one is an invalid setting. */
    public ScoringPipeline(ScoringSettings settings) {
        this.settings = settings;
        this.manifest = ServingModel.resolve(settings);
        this.plan = ServingModel.plan(settings, manifest);
    }

    /** The manifest of the main model version ({@code scorestream.model.*}). */
    public ModelManifest manifest() {
        return manifest;
    }

    /** Which model versions serve which events. */
    public ServingPlan plan() {
        return plan;
    }

    /** Adds the pipeline after {@code records}. */
    public Outputs score(DataStream<RawRecord> records, DataStream<ModelRollout> control) {
        return score(records, control, microBatchedAsync());
    }

    /**
     * Adds the pipeline after {@code records}, with {@code inference} as its inference step and no
     * control topic: the plan's versions serve throughout.
     */
    public Outputs score(DataStream<RawRecord> records, InferenceStage inference) {
        // A bounded source of one placeholder that is filtered out: Flink has no empty source, and
        // the featurizer needs a broadcast input.
        DataStream<ModelRollout> none =
                records.getExecutionEnvironment()
                        .fromSource(
                                new DataGeneratorSource<>(
                                        new NoRollouts(),
                                        1,
                                        new AvroTypeInfo<>(ModelRollout.class)),
                                WatermarkStrategy.noWatermarks(),
                                "No control records")
                        .setParallelism(1)
                        .uid(Uids.CONTROL_SOURCE)
                        .filter(rollout -> false)
                        .setParallelism(1)
                        .name("None");
        return score(records, none, inference);
    }

    /**
     * Adds the pipeline after {@code records}, with the rollouts on {@code control} routing events
     * to model versions and {@code inference} as its inference step.
     */
    public Outputs score(
            DataStream<RawRecord> records,
            DataStream<ModelRollout> control,
            InferenceStage inference) {
        EventSpec eventSpec = EventSpec.of(manifest.featureSpec());
        BroadcastStream<ModelRollout> rollouts = control.broadcast(RolloutState.DESCRIPTOR);

        SingleOutputStreamOperator<DecodedEvent> events =
                records.process(
                                new EventDecoder(
                                        eventSpec,
                                        settings.input()
                                                .rulesFor(manifest.featureSpec().eventFeatures())),
                                DecodedEventTypeInfo.INSTANCE)
                        .name("Decode and validate")
                        .uid(Uids.DECODER);

        // The routing step and the rollback guard each get a copy: both refuse a rollout the
        // job cannot serve, so the guard watches the rollout that really serves. The routing
        // step's also loads a rollout's versions before it comes in force.
        int historyLength = settings.session().historyLengthFor(plan);
        RoutableVersions routable =
                new RoutableVersions(
                        plan,
                        settings.inference().modelRepository(),
                        settings.inference().registry().cacheDirectory(),
                        eventSpec,
                        historyLength,
                        settings.inference().registry().engine());
        DataStream<InferenceRequest> requests =
                events.assignTimestampsAndWatermarks(watermarks())
                        .name("Event time")
                        .uid(Uids.WATERMARKS)
                        .keyBy(ScoringPipeline::sessionKey)
                        .connect(rollouts)
                        .process(
                                new SessionFeaturizer(
                                        eventSpec,
                                        historyLength,
                                        routable.warmingWith(inference.warmer(settings)),
                                        settings.session().ttl(),
                                        ServingModel.configuredVersions(settings)))
                        .name("Session featurizer")
                        .uid(Uids.FEATURIZER);

        // Users over their compute budget skip the model (off unless scorestream.budget.* is set).
        DataStream<InferenceResult> results =
                ComputeBudgets.apply(
                        requests,
                        settings.budget(),
                        within -> inference.apply(within, plan, settings));

        SingleOutputStreamOperator<Prediction> predictions =
                results.process(new PredictionAssembler())
                        .name("Assemble predictions")
                        .uid(Uids.ASSEMBLER);

        DataStream<DeadLetter> deadLetters =
                events.getSideOutput(DeadLetters.OUTPUT)
                        .union(predictions.getSideOutput(DeadLetters.OUTPUT));
        DataStream<ModelRollout> decisions =
                RolloutGuards.apply(predictions, rollouts, settings.rollout().rollback(), routable);
        return new Outputs(predictions, deadLetters, decisions);
    }

    /** A placeholder control record, never applied: the stream that carries it drops it. */
    private static final class NoRollouts implements GeneratorFunction<Long, ModelRollout> {
        private static final long serialVersionUID = 1L;

        @Override
        public ModelRollout map(Long index) {
            return ModelRollout.newBuilder()
                    .setRolloutId("none")
                    .setModel("none")
                    .setStableVersion("none")
                    .setCandidatePercent(0)
                    .setIssuedAt(java.time.Instant.EPOCH)
                    .setIssuedBy("none")
                    .build();
        }
    }

    private WatermarkStrategy<DecodedEvent> watermarks() {
        return WatermarkStrategy.<DecodedEvent>forBoundedOutOfOrderness(
                        settings.session().maxOutOfOrderness())
                .withTimestampAssigner(
                        (decoded, previous) -> decoded.event().getEventTime().toEpochMilli())
                .withIdleness(settings.session().idleTimeout());
    }

    private static String sessionKey(DecodedEvent decoded) {
        return decoded.sessionId();
    }
}
