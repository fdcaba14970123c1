package io.scorestream.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.scorestream.model.DevicePlacement;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.OnnxGpuProvider;
import io.scorestream.operators.budget.BudgetTime;
import io.scorestream.operators.budget.OverBudgetAction;
import io.scorestream.operators.inference.FailurePolicy;
import io.scorestream.operators.inference.ModelCapacityException;
import io.scorestream.operators.inference.TimeoutPolicy;
import io.scorestream.operators.ingest.FeatureRange;
import io.scorestream.operators.ingest.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the scoring job, declared once. They are read from the command line ({@code
 * --key value}), from Flink's {@code config.yaml}, or from a Kubernetes ConfigMap alike, and turned
 * into one validated {@link ScoringSettings} at start-up. Checkpointing uses Flink's own options
 * ({@code execution.checkpointing.*}).
 */
public final class ScoringOptions {

    private ScoringOptions() {}

    // Kafka ---------------------------------------------------------------------------------

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("scorestream.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers, host:port[,host:port...]. Required.");

    public static final ConfigOption<String> EVENTS_TOPIC =
            key("scorestream.kafka.topic.events")
                    .stringType()
                    .defaultValue("events")
                    .withDescription("Topic of Avro InferenceEvent records to score.");

    public static final ConfigOption<String> PREDICTIONS_TOPIC =
            key("scorestream.kafka.topic.predictions")
                    .stringType()
                    .defaultValue("predictions")
                    .withDescription("Topic the Avro Prediction records are written to.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            key("scorestream.kafka.topic.dead-letters")
                    .stringType()
                    .defaultValue("events.dlq")
                    .withDescription(
                            "Topic of Avro DeadLetter records: input that could not be scored.");

    public static final ConfigOption<String> GROUP_ID =
            key("scorestream.kafka.group-id")
                    .stringType()
                    .defaultValue("scorestream")
                    .withDescription(
                            "Consumer group id of the source. The job's position lives in its checkpoints,"
                                    + " not in the group (see scorestream.kafka.commit-offsets).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            key("scorestream.kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription(
                            "Where a job without state starts reading: EARLIEST, LATEST, or the group's"
                                    + " COMMITTED_OR_EARLIEST offsets (offsets set by hand; refused with"
                                    + " scorestream.kafka.commit-offsets, whose offsets run ahead of what"
                                    + " is scored).");

    public static final ConfigOption<Boolean> COMMIT_OFFSETS =
            key("scorestream.kafka.commit-offsets")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Commit the source's position to the consumer group when a checkpoint"
                                    + " completes, for lag monitoring only: events before it may still"
                                    + " be in flight in the checkpoint's state, so a job never starts"
                                    + " from these offsets.");

    public static final ConfigOption<DeliveryMode> DELIVERY_GUARANTEE =
            key("scorestream.kafka.delivery-guarantee")
                    .enumType(DeliveryMode.class)
                    .defaultValue(DeliveryMode.EXACTLY_ONCE)
                    .withDescription(
                            "EXACTLY_ONCE (Kafka transactions committed on checkpoints; read the output"
                                    + " with isolation.level=read_committed) or AT_LEAST_ONCE.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("scorestream.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("scorestream")
                    .withDescription(
                            "Prefix of the sink's transactional ids; must be unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            key("scorestream.kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "Kafka transaction timeout of the exactly-once sink; at most the broker's"
                                    + " transaction.max.timeout.ms and longer than a checkpoint interval.");

    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES =
            key("scorestream.kafka.properties")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Extra Kafka client properties for the source and sinks, e.g."
                                    + " security.protocol:SASL_SSL,sasl.mechanism:SCRAM-SHA-512.");

    public static final ConfigOption<MemorySize> DEAD_LETTER_MAX_SIZE =
            key("scorestream.dead-letters.max-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1000 kb"))
                    .withDescription(
                            "Largest dead letter written, its Kafka key and Avro value together (at"
                                    + " least 16 kb). A larger one keeps only the start of the"
                                    + " original value (then of the key, message and event id) and"
                                    + " says so: truncated, originalValueSize, originalValueSha256,"
                                    + " keptValueBytes. Plus Kafka's record overhead, it must fit"
                                    + " the dead-letter topic's max.message.bytes and the"
                                    + " producers' max.request.size (checked at start-up).");

    // Model ---------------------------------------------------------------------------------

    public static final ConfigOption<String> MODEL_REPOSITORY =
            key("scorestream.model.repository")
                    .stringType()
                    .defaultValue("models")
                    .withDescription(
                            "Model repository, <root>/<model>/<version>/manifest.json: a folder, loaded in"
                                    + " place, or a URI any Flink filesystem reads (file:///..., s3://...,"
                                    + " hdfs://... through Flink's plugins), whose versions are copied into"
                                    + " scorestream.model.cache-dir and verified before use.");

    public static final ConfigOption<String> MODEL_CACHE_DIR =
            key("scorestream.model.cache-dir")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Local folder for versions copied from a repository URI (fetched into a"
                                    + " temporary folder, checksums verified, then moved into place)."
                                    + " Empty: scorestream-models under the TaskManager's java.io.tmpdir.");

    public static final ConfigOption<String> MODEL_NAME =
            key("scorestream.model.name")
                    .stringType()
                    .defaultValue("fraud-mlp")
                    .withDescription("Model that scores the events.");

    public static final ConfigOption<String> MODEL_VERSION =
            key("scorestream.model.version")
                    .stringType()
                    .defaultValue("latest")
                    .withDescription(
                            "Version to serve, or 'latest' (resolved when a job starts without state)."
                                    + " The served version is pinned in the job's state: a job restored"
                                    + " from a checkpoint or savepoint keeps it until a rollout, or a"
                                    + " version named here, changes it.");

    public static final ConfigOption<String> MODEL_DEVICE =
            key(DevicePlacement.DEVICE_SETTING)
                    .stringType()
                    .defaultValue("cpu")
                    .withDescription(
                            "Where the model runs: cpu, gpu (the GPU Flink's GPU external resource"
                                    + " assigned to the TaskManager; GPU 0 where none is configured) or"
                                    + " gpu:<index>.");

    public static final ConfigOption<DevicePlacement.Fallback> MODEL_DEVICE_FALLBACK =
            key(DevicePlacement.FALLBACK_SETTING)
                    .enumType(DevicePlacement.Fallback.class)
                    .defaultValue(DevicePlacement.Fallback.FAIL)
                    .withDescription(
                            "A gpu device where DJL sees no GPU: FAIL (the model does not load; the"
                                    + " error names scorestream.model.device) or CPU (a warning, then the"
                                    + " CPU).");

    public static final ConfigOption<Integer> MAX_RESIDENT =
            key(ModelCapacityException.SETTING)
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Most model versions (per device) loaded at once in one TaskManager; one"
                                    + " more is refused with an error that lists what is resident.");

    public static final ConfigOption<Duration> IDLE_UNLOAD =
            key("scorestream.model.idle-unload")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "The inference operator releases a model version it has not called for"
                                    + " this long (a version a rollout no longer routes to, a fallback"
                                    + " model never needed); it is unloaded when no other operator of the"
                                    + " TaskManager uses it, and loaded again on its next call.");

    public static final ConfigOption<EngineChoice> MODEL_ENGINE =
            key(EngineChoice.SETTING)
                    .enumType(EngineChoice.class)
                    .defaultValue(EngineChoice.PRIMARY)
                    .withDescription(
                            "Which artifact of each served version runs: primary (the manifest's engine"
                                    + " and artifact), PyTorch (TorchScript) or OnnxRuntime (ONNX, e.g. a"
                                    + " manifest's alternatives entry). A version without an artifact for"
                                    + " it is refused at start-up and in rollouts.");

    public static final ConfigOption<OnnxGpuProvider> ONNX_GPU_PROVIDER =
            key("scorestream.model.onnx-gpu-provider")
                    .enumType(OnnxGpuProvider.class)
                    .defaultValue(OnnxGpuProvider.CUDA)
                    .withDescription(
                            "ONNX Runtime's execution provider for ONNX model versions on a GPU: CUDA, or"
                                    + " TENSORRT (needs TensorRT on the node and the GPU build of ONNX"
                                    + " Runtime; see GPU nodes in the README).");

    public static final ConfigOption<Integer> INTRA_OP_THREADS =
            key("scorestream.model.intra-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Threads one model call may use (libtorch's, JVM-wide; ONNX Runtime's,"
                                    + " per model version). Worker threads x intra-op threads should not"
                                    + " exceed the TaskManager's cores.");

    public static final ConfigOption<Integer> INTER_OP_THREADS =
            key("scorestream.model.inter-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Threads for independent operators within one model call (libtorch's"
                                    + " inter-op pool; ONNX Runtime's inter-op threads).");

    // Inference -----------------------------------------------------------------------------

    public static final ConfigOption<Integer> MAX_BATCH_SIZE =
            key("scorestream.inference.max-batch-size")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Most events in one model call.");

    public static final ConfigOption<Duration> MAX_DELAY =
            key("scorestream.inference.max-delay")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "How long the oldest queued event may wait for a batch to fill. 0: a free"
                                    + " worker takes whatever is queued at once (lowest latency); a few ms"
                                    + " help GPUs fill batches.");

    public static final ConfigOption<Integer> QUEUE_CAPACITY =
            key("scorestream.inference.queue-capacity")
                    .intType()
                    .defaultValue(4096)
                    .withDescription(
                            "Events that may wait for a batch per TaskManager; when full, the stream is"
                                    + " back-pressured.");

    public static final ConfigOption<Integer> WORKER_THREADS =
            key("scorestream.inference.worker-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Threads calling the model per TaskManager, each with its own predictor.");

    public static final ConfigOption<Integer> ASYNC_CAPACITY =
            key("scorestream.inference.async-capacity")
                    .intType()
                    .defaultValue(512)
                    .withDescription("In-flight events per async operator subtask.");

    public static final ConfigOption<Duration> ASYNC_TIMEOUT =
            key("scorestream.inference.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How long one event may take from request to score.");

    public static final ConfigOption<Integer> BUNDLE_SIZE =
            key("scorestream.inference.bundle-size")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Events handed to the async operator together: one queue entry, timer and"
                                    + " hand-back for all of them. 1: each event alone.");

    public static final ConfigOption<Duration> BUNDLE_DELAY =
            key("scorestream.inference.bundle-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1))
                    .withDescription(
                            "How long a partly filled bundle waits for more events (whole ms). 0: no"
                                    + " wait. Bundles also leave before every watermark and checkpoint.");

    public static final ConfigOption<OutputOrder> OUTPUT_ORDER =
            key("scorestream.inference.output-order")
                    .enumType(OutputOrder.class)
                    .defaultValue(OutputOrder.UNORDERED)
                    .withDescription(
                            "UNORDERED: a prediction leaves as soon as it is scored, so one session's"
                                    + " can leave out of event order. PER_KEY: every session's"
                                    + " predictions leave in event order (each subtask keeps its"
                                    + " arrival order; cost in BENCHMARKS.md).");

    public static final ConfigOption<TimeoutPolicy> TIMEOUT_POLICY =
            key("scorestream.inference.timeout-policy")
                    .enumType(TimeoutPolicy.class)
                    .defaultValue(TimeoutPolicy.FALLBACK)
                    .withDescription(
                            "On timeout: FALLBACK (a prediction flagged fallback, with the fallback score)"
                                    + " or DEAD_LETTER.");

    public static final ConfigOption<Float> FALLBACK_SCORE =
            key("scorestream.inference.fallback-score")
                    .floatType()
                    .defaultValue(0.0f)
                    .withDescription("Score of a fallback prediction.");

    public static final ConfigOption<FailurePolicy> FAILURE_POLICY =
            key("scorestream.inference.failure-policy")
                    .enumType(FailurePolicy.class)
                    .defaultValue(FailurePolicy.DEAD_LETTER)
                    .withDescription(
                            "When the model fails on an event and no fallback model answers:"
                                    + " DEAD_LETTER (reason INFERENCE_FAILED; usually a bad input) or"
                                    + " FALLBACK (the fallback score, flagged).");

    public static final ConfigOption<Duration> MODEL_TIMEOUT =
            key("scorestream.inference.model-timeout")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "How long one model call may take before the event moves on to its"
                                    + " fallback model (or the fallback score). 0: no limit of its own;"
                                    + " scorestream.inference.timeout ends the event. With a cascade or a"
                                    + " fallback model, twice this must fit in scorestream.inference.timeout.");

    // Serving: routing, cascade, fallback, cache, circuit breaker ---------------------------

    public static final ConfigOption<Map<String, String>> ROUTING_EVENT_TYPES =
            key("scorestream.routing.event-types")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Routing rules, event type to model, e.g. click:fraud-mlp,checkout:intent-gru."
                                    + " Other event types go to scorestream.model.name.");

    public static final ConfigOption<Map<String, String>> ROUTING_VERSIONS =
            key("scorestream.routing.versions")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Version served of each model other than scorestream.model.name, e.g."
                                    + " intent-gru:1; models not listed serve their latest version"
                                    + " (resolved when a job starts without state, then pinned like"
                                    + " scorestream.model.version's). A rollout on the control topic"
                                    + " overrides it.");

    public static final ConfigOption<String> CASCADE_FROM =
            key("scorestream.cascade.from")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Small model of the cascade: its uncertain scores are escalated to"
                                    + " scorestream.cascade.to. Unset: no cascade.");

    public static final ConfigOption<String> CASCADE_TO =
            key("scorestream.cascade.to")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Large model of the cascade; it must predict the same label (manifest) as"
                                    + " scorestream.cascade.from.");

    public static final ConfigOption<String> CASCADE_BAND =
            key("scorestream.cascade.band")
                    .stringType()
                    .defaultValue("0.4..0.6")
                    .withDescription(
                            "Uncertain scores of the small model, min..max inclusive: these are"
                                    + " escalated to the large model, whose score is the prediction's.");

    public static final ConfigOption<Map<String, String>> FALLBACK_MODELS =
            key("scorestream.fallback.models")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Fallback model of a model, e.g. fraud-gru:fraud-mlp: asked when the model"
                                    + " times out, fails or its circuit breaker is open; then the"
                                    + " fallback score. Both must predict the same label (manifest).");

    public static final ConfigOption<Integer> CACHE_MAX_ENTRIES =
            key("scorestream.cache.max-entries")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Result cache entries per model version and TaskManager, keyed by the exact"
                                    + " model input. 0: no cache.");

    public static final ConfigOption<Duration> CACHE_TTL =
            key("scorestream.cache.ttl")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("How long a cached score is served.");

    public static final ConfigOption<List<String>> CACHE_DISABLED_MODELS =
            key("scorestream.cache.disabled-models")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Models never cached, e.g. intent-gru (sequence models rarely see the same"
                                    + " input twice).");

    public static final ConfigOption<Integer> BREAKER_FAILURE_THRESHOLD =
            key("scorestream.breaker.failure-threshold")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Consecutive model failures or model timeouts of a model version (per"
                                    + " TaskManager) that open its circuit breaker: its events skip it and"
                                    + " take the fallback chain at once. Input failures (a row that fails"
                                    + " alone while its batch scores, or does not fit the model) do not"
                                    + " count. 0: no breaker.");

    public static final ConfigOption<Duration> BREAKER_COOL_DOWN =
            key("scorestream.breaker.cool-down")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long an open breaker stays open before one trial call decides whether"
                                    + " it closes.");

    // Sessions and time ---------------------------------------------------------------------

    public static final ConfigOption<Duration> SESSION_TTL =
            key("scorestream.session.ttl")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription("A session's state expires after this long without events.");

    public static final ConfigOption<Integer> HISTORY_LENGTH =
            key("scorestream.session.history-length")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Events kept per session for sequence models. By default the longest"
                                    + " sequence the served models read, none when no model reads"
                                    + " one (a session is then several times smaller in RocksDB);"
                                    + " set it to roll out a sequence model later.");

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("scorestream.events.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Bound of event-time disorder for watermarks.");

    public static final ConfigOption<Duration> SOURCE_IDLE_TIMEOUT =
            key("scorestream.events.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A partition without events this long stops holding back watermarks.");

    // Input validation and decoding --------------------------------------------------------

    public static final ConfigOption<WireFormat> WIRE_FORMAT =
            key("scorestream.input.wire-format")
                    .enumType(WireFormat.class)
                    .defaultValue(WireFormat.PLAIN)
                    .withDescription(
                            "How event values are framed: PLAIN Avro binary, or CONFLUENT (magic byte 0,"
                                    + " 4-byte schema id, Avro binary; the registry is never called).");

    public static final ConfigOption<List<Integer>> SCHEMA_IDS =
            key("scorestream.input.schema-ids")
                    .intType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "With the CONFLUENT wire format: the schema ids that hold an InferenceEvent,"
                                    + " e.g. 12;15. Other ids are dead-lettered as UNKNOWN_SCHEMA_ID.");

    public static final ConfigOption<MemorySize> MAX_RECORD_SIZE =
            key("scorestream.input.max-record-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("512 kb"))
                    .withDescription(
                            "Largest event value accepted; larger ones are dead-lettered as"
                                    + " OVERSIZED_RECORD without being decoded. Must stay below"
                                    + " what the events topic accepts (its max.message.bytes less"
                                    + " Kafka's record overhead; checked at start-up), or"
                                    + " OVERSIZED_RECORD could never fire.");

    public static final ConfigOption<MemorySize> MAX_STRING_LENGTH =
            key("scorestream.input.max-string-length")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64 kb"))
                    .withDescription(
                            "Longest string an event may declare (Avro reader limit, checked before"
                                    + " anything is allocated); beyond it: OVERSIZED_FIELD.");

    public static final ConfigOption<Integer> MAX_COLLECTION_ITEMS =
            key("scorestream.input.max-collection-items")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Most items an event's features array or attributes map may declare (Avro"
                                    + " reader limit); beyond it: OVERSIZED_FIELD.");

    public static final ConfigOption<Boolean> REQUIRE_KEY =
            key("scorestream.input.require-key")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Dead-letter records without a Kafka key (MISSING_KEY). Producers key by"
                                    + " session id so a session's events stay in order.");

    public static final ConfigOption<Duration> MAX_EVENT_AGE =
            key("scorestream.input.max-event-age")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Events whose time is older than this, by the decoder's clock, are"
                                    + " dead-lettered as LATE_EVENT. 0: no limit. Set it above the"
                                    + " longest backlog you may replay.");

    public static final ConfigOption<String> FEATURE_RANGE =
            key("scorestream.input.feature-range")
                    .stringType()
                    .defaultValue(FeatureRange.DEFAULT.toString())
                    .withDescription(
                            "Range min..max every feature must lie in (OUT_OF_RANGE_FEATURE otherwise),"
                                    + " unless scorestream.input.feature-ranges gives it its own.");

    public static final ConfigOption<Map<String, String>> FEATURE_RANGES =
            key("scorestream.input.feature-ranges")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Ranges of single features by their name in the model's feature spec, e.g."
                                    + " amount:0..100000,scroll_depth:0..1.");

    // Budgets and failure handling ---------------------------------------------------------

    public static final ConfigOption<Integer> BUDGET_MAX_INFERENCES =
            key("scorestream.budget.max-inferences")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Per-user compute budget: most model inferences one user id (or, for events"
                                    + " without one, one session) may spend per budget window. 0: no"
                                    + " budgets.");

    public static final ConfigOption<Duration> BUDGET_WINDOW =
            key("scorestream.budget.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Length of a user's budget window; it opens with the user's first event.");

    public static final ConfigOption<BudgetTime> BUDGET_TIME =
            key("scorestream.budget.time")
                    .enumType(BudgetTime.class)
                    .defaultValue(BudgetTime.PROCESSING)
                    .withDescription(
                            "Clock of budget windows: PROCESSING (wall clock) or EVENT (the events'"
                                    + " time, so replays are budgeted as they happened).");

    public static final ConfigOption<OverBudgetAction> BUDGET_ACTION =
            key("scorestream.budget.over-budget")
                    .enumType(OverBudgetAction.class)
                    .defaultValue(OverBudgetAction.FALLBACK)
                    .withDescription(
                            "An event over budget is not sent to the model; it gets FALLBACK (a"
                                    + " prediction flagged overBudget and fallback, with"
                                    + " scorestream.inference.fallback-score) or DEAD_LETTER (reason"
                                    + " OVER_BUDGET).");

    // Live rollout ---------------------------------------------------------------------------

    public static final ConfigOption<String> CONTROL_TOPIC =
            key("scorestream.kafka.topic.control")
                    .stringType()
                    .defaultValue("model-control")
                    .withDescription(
                            "Topic of Avro ModelRollout records, keyed by model name: the rollout in"
                                    + " force per model (stable, candidate, percent). Read from its start"
                                    + " on a fresh job; the rollback guard writes its decisions to it.");

    public static final ConfigOption<Boolean> ROLLOUT_AUTO_ROLLBACK =
            key("scorestream.rollout.auto-rollback")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Roll a candidate back to stable (candidate percent 0) when it breaches"
                                    + " one of the scorestream.rollout.max-* limits.");

    public static final ConfigOption<Duration> ROLLOUT_WINDOW =
            key("scorestream.rollout.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Sliding window of predictions (by scored time) the rollback guard judges;"
                                    + " it slides by a tenth of its length.");

    public static final ConfigOption<Integer> ROLLOUT_MIN_SAMPLES =
            key("scorestream.rollout.min-samples")
                    .intType()
                    .defaultValue(200)
                    .withDescription(
                            "The guard judges only once the stable and the candidate version each"
                                    + " have this many predictions in the window.");

    public static final ConfigOption<Double> ROLLOUT_MAX_ERROR_RATE =
            key("scorestream.rollout.max-error-rate")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "Largest share (0..1) of the candidate's predictions that may be fallbacks"
                                    + " for a model problem (timeouts, model errors; not OVER_BUDGET).");

    public static final ConfigOption<Duration> ROLLOUT_MAX_P99_LATENCY =
            key("scorestream.rollout.max-p99-latency")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "Largest 99th percentile of the candidate's inference latency (the"
                                    + " Prediction's latency.inferenceMicros).");

    public static final ConfigOption<Double> ROLLOUT_MAX_PSI =
            key("scorestream.rollout.max-psi")
                    .doubleType()
                    .defaultValue(0.25)
                    .withDescription(
                            "Largest population stability index of the candidate's scores against the"
                                    + " stable version's (10 bins over 0..1 and one for NaN).");

    /** Every option above, for documentation and the README check. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                EVENTS_TOPIC,
                PREDICTIONS_TOPIC,
                DEAD_LETTER_TOPIC,
                GROUP_ID,
                STARTING_OFFSETS,
                COMMIT_OFFSETS,
                DELIVERY_GUARANTEE,
                TRANSACTIONAL_ID_PREFIX,
                TRANSACTION_TIMEOUT,
                KAFKA_PROPERTIES,
                DEAD_LETTER_MAX_SIZE,
                MODEL_REPOSITORY,
                MODEL_CACHE_DIR,
                MODEL_NAME,
                MODEL_VERSION,
                MODEL_DEVICE,
                MODEL_ENGINE,
                ONNX_GPU_PROVIDER,
                MODEL_DEVICE_FALLBACK,
                MAX_RESIDENT,
                IDLE_UNLOAD,
                INTRA_OP_THREADS,
                INTER_OP_THREADS,
                MAX_BATCH_SIZE,
                MAX_DELAY,
                QUEUE_CAPACITY,
                WORKER_THREADS,
                ASYNC_CAPACITY,
                ASYNC_TIMEOUT,
                BUNDLE_SIZE,
                BUNDLE_DELAY,
                OUTPUT_ORDER,
                TIMEOUT_POLICY,
                FALLBACK_SCORE,
                FAILURE_POLICY,
                MODEL_TIMEOUT,
                ROUTING_EVENT_TYPES,
                ROUTING_VERSIONS,
                CASCADE_FROM,
                CASCADE_TO,
                CASCADE_BAND,
                FALLBACK_MODELS,
                CACHE_MAX_ENTRIES,
                CACHE_TTL,
                CACHE_DISABLED_MODELS,
                BREAKER_FAILURE_THRESHOLD,
                BREAKER_COOL_DOWN,
                SESSION_TTL,
                HISTORY_LENGTH,
                MAX_OUT_OF_ORDERNESS,
                SOURCE_IDLE_TIMEOUT,
                WIRE_FORMAT,
                SCHEMA_IDS,
                MAX_RECORD_SIZE,
                MAX_STRING_LENGTH,
                MAX_COLLECTION_ITEMS,
                REQUIRE_KEY,
                MAX_EVENT_AGE,
                FEATURE_RANGE,
                FEATURE_RANGES,
                BUDGET_MAX_INFERENCES,
                BUDGET_WINDOW,
                BUDGET_TIME,
                BUDGET_ACTION,
                CONTROL_TOPIC,
                ROLLOUT_AUTO_ROLLBACK,
                ROLLOUT_WINDOW,
                ROLLOUT_MIN_SAMPLES,
                ROLLOUT_MAX_ERROR_RATE,
                ROLLOUT_MAX_P99_LATENCY,
                ROLLOUT_MAX_PSI);
    }
}
