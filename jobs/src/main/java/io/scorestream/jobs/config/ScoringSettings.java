package io.scorestream.jobs.config;

import static io.scorestream.jobs.config.ScoringOptions.*;

import io.scorestream.model.DevicePlacement;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.OnnxGpuProvider;
import io.scorestream.operators.budget.BudgetSettings;
import io.scorestream.operators.budget.BudgetTime;
import io.scorestream.operators.budget.OverBudgetAction;
import io.scorestream.operators.deadletter.DeadLetterTrimmer;
import io.scorestream.operators.inference.BatchingConfig;
import io.scorestream.operators.inference.BreakerConfig;
import io.scorestream.operators.inference.CacheConfig;
import io.scorestream.operators.inference.FailurePolicy;
import io.scorestream.operators.inference.InferenceSettings;
import io.scorestream.operators.inference.TimeoutPolicy;
import io.scorestream.operators.ingest.FeatureRange;
import io.scorestream.operators.ingest.InputRules;
import io.scorestream.operators.ingest.WireFormat;
import io.scorestream.operators.registry.ModelCatalogs;
import io.scorestream.operators.registry.RegistrySettings;
import io.scorestream.operators.routing.Cascade;
import io.scorestream.schemas.ReaderLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * All settings of the scoring job, validated together at start-up. Built only by {@link
 * #from(Configuration)}, which reports every problem at once, each naming its key.
 */
public record ScoringSettings(
        KafkaSettings kafka,
        String modelName,
        String modelVersion,
        InferenceSettings inference,
        AsyncSettings async,
        SessionSettings session,
        CheckpointSettings checkpoints,
        InputSettings input,
        BudgetSettings budget,
        ServingSettings serving,
        RolloutSettings rollout) {

    public static ScoringSettings from(Configuration conf) {
        List<String> problems = new ArrayList<>();
        Reader read = new Reader(conf, problems);

        KafkaSettings kafka =
                new KafkaSettings(
                        read.required(BOOTSTRAP_SERVERS),
                        read.nonBlank(EVENTS_TOPIC),
                        read.nonBlank(PREDICTIONS_TOPIC),
                        read.nonBlank(DEAD_LETTER_TOPIC),
                        read.nonBlank(GROUP_ID),
                        read.value(STARTING_OFFSETS),
                        Boolean.TRUE.equals(read.value(COMMIT_OFFSETS)),
                        read.value(DELIVERY_GUARANTEE),
                        read.value(TRANSACTIONAL_ID_PREFIX),
                        read.positive(TRANSACTION_TIMEOUT),
                        read.value(KAFKA_PROPERTIES),
                        read.bytes(DEAD_LETTER_MAX_SIZE));
        checkTopicsDistinct(kafka, problems);
        checkDeadLettersFitRequests(kafka, problems);
        checkNeverStartsFromItsOwnCommits(kafka, problems);

        String repository = read.nonBlank(MODEL_REPOSITORY);
        if (repository != null && !repository.isBlank()) {
            ModelCatalogs.problem(repository)
                    .ifPresent(problem -> problems.add(MODEL_REPOSITORY.key() + ": " + problem));
        }
        String device = read.value(MODEL_DEVICE);
        read.check(MODEL_DEVICE, () -> DevicePlacement.requested(device, OptionalInt.empty()));
        RegistrySettings registry = readRegistry(read, problems);

        int maxBatchSize = read.atLeast(MAX_BATCH_SIZE, 1);
        int queueCapacity = read.atLeast(QUEUE_CAPACITY, 1);
        if (queueCapacity < maxBatchSize) {
            problems.add(
                    QUEUE_CAPACITY.key()
                            + " ("
                            + queueCapacity
                            + ") must hold at least one full batch ("
                            + MAX_BATCH_SIZE.key()
                            + " = "
                            + maxBatchSize
                            + ")");
        }
        Duration maxDelay = read.notNegative(MAX_DELAY);
        int workers = read.atLeast(WORKER_THREADS, 1);
        int intraOp = read.atLeast(INTRA_OP_THREADS, 1);
        int interOp = read.atLeast(INTER_OP_THREADS, 1);

        CheckpointSettings checkpoints =
                new CheckpointSettings(
                        conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                                .orElse(CheckpointSettings.DEFAULT_INTERVAL),
                        conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        checkExactlyOnce(kafka, checkpoints, problems);
        checkTransactionsOutliveRestarts(conf, kafka, checkpoints, problems);

        SessionSettings session =
                new SessionSettings(
                        read.positive(SESSION_TTL),
                        read.optionalAtLeast(HISTORY_LENGTH, 0),
                        read.notNegative(MAX_OUT_OF_ORDERNESS),
                        read.positive(SOURCE_IDLE_TIMEOUT));
        int asyncCapacity = read.atLeast(ASYNC_CAPACITY, 1);
        Duration asyncTimeout = read.positive(ASYNC_TIMEOUT);
        int bundleSize = read.atLeast(BUNDLE_SIZE, 1);
        Duration bundleDelay = read.notNegative(BUNDLE_DELAY);
        OutputOrder outputOrder = read.value(OUTPUT_ORDER);
        if (bundleSize > asyncCapacity) {
            problems.add(
                    ASYNC_CAPACITY.key()
                            + " ("
                            + asyncCapacity
                            + ") must hold at least one bundle ("
                            + BUNDLE_SIZE.key()
                            + " = "
                            + bundleSize
                            + ")");
        }
        TimeoutPolicy timeoutPolicy = read.value(TIMEOUT_POLICY);
        Float fallbackScore = read.value(FALLBACK_SCORE);
        if (fallbackScore != null && !Float.isFinite(fallbackScore)) {
            problems.add(FALLBACK_SCORE.key() + " must be a finite number, got " + fallbackScore);
        }

        FailurePolicy failurePolicy = read.value(FAILURE_POLICY);
        Duration modelTimeout = read.notNegative(MODEL_TIMEOUT);
        CacheConfig cache = readCache(read);
        BreakerConfig breaker = readBreaker(read);
        ServingSettings serving = readServing(read, problems);
        checkModelTimeoutFits(serving, modelTimeout, asyncTimeout, problems);

        InputSettings input = readInput(read, problems);
        BudgetSettings budget = readBudget(read, fallbackScore);
        RolloutSettings rollout = RolloutSettings.read(read, kafka, problems);

        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
        InferenceSettings inference =
                new InferenceSettings(
                        ModelCatalogs.normalize(repository),
                        device,
                        intraOp,
                        interOp,
                        new BatchingConfig(maxBatchSize, maxDelay, queueCapacity, workers),
                        timeoutPolicy,
                        failurePolicy,
                        fallbackScore,
                        modelTimeout,
                        cache,
                        breaker,
                        registry);
        return new ScoringSettings(
                kafka,
                read.nonBlank(MODEL_NAME),
                read.nonBlank(MODEL_VERSION),
                inference,
                new AsyncSettings(
                        asyncCapacity, asyncTimeout, bundleSize, bundleDelay, outputOrder),
                session,
                checkpoints,
                input,
                budget,
                serving,
                rollout);
    }

    /** The result cache; off while any of its settings is bad (the problems stop start-up). */
    private static CacheConfig readCache(Reader read) {
        int maxEntries = read.atLeast(CACHE_MAX_ENTRIES, 0);
        Duration ttl = read.positive(CACHE_TTL);
        List<String> disabled = read.value(CACHE_DISABLED_MODELS);
        if (maxEntries < 0 || ttl == null || ttl.isNegative() || ttl.isZero() || disabled == null) {
            return CacheConfig.off();
        }
        return new CacheConfig(maxEntries, ttl, Set.copyOf(disabled));
    }

    /** The circuit breaker; off while any of its settings is bad (the problems stop start-up). */
    private static BreakerConfig readBreaker(Reader read) {
        int threshold = read.atLeast(BREAKER_FAILURE_THRESHOLD, 0);
        Duration coolDown = read.positive(BREAKER_COOL_DOWN);
        if (threshold < 0 || coolDown == null || coolDown.isNegative() || coolDown.isZero()) {
            return BreakerConfig.off();
        }
        return new BreakerConfig(threshold, coolDown);
    }

    /** Routing rules, cascade and fallback models, checked for consistency among themselves. */
    private static ServingSettings readServing(Reader read, List<String> problems) {
        Map<String, String> routes = read.value(ROUTING_EVENT_TYPES);
        Map<String, String> versions = read.value(ROUTING_VERSIONS);
        Map<String, String> fallbacks = read.value(FALLBACK_MODELS);
        String from = read.value(CASCADE_FROM);
        String to = read.value(CASCADE_TO);
        FeatureRange band = read.parsed(CASCADE_BAND, FeatureRange::parse);
        Cascade cascade = null;
        if ((from == null) != (to == null)) {
            problems.add(
                    CASCADE_FROM.key()
                            + " and "
                            + CASCADE_TO.key()
                            + " go together: set both for a cascade, or neither");
        } else if (from != null && band != null) {
            try {
                cascade = new Cascade(from.strip(), to.strip(), band.min(), band.max());
            } catch (IllegalArgumentException e) {
                problems.add(
                        CASCADE_FROM.key()
                                + " / "
                                + CASCADE_TO.key()
                                + " / "
                                + CASCADE_BAND.key()
                                + ": "
                                + e.getMessage());
            }
        }
        if (fallbacks != null) {
            fallbacks.forEach(
                    (model, fallback) -> {
                        if (model.equals(fallback)) {
                            problems.add(
                                    FALLBACK_MODELS.key()
                                            + ": model "
                                            + model
                                            + " cannot be its own fallback");
                        }
                    });
        }
        if (routes == null || versions == null || fallbacks == null) {
            return ServingSettings.singleModel();
        }
        return new ServingSettings(routes, versions, cascade, fallbacks);
    }

    /** A cascade or fallback makes two model calls in a row: both must fit in the async timeout. */
    private static void checkModelTimeoutFits(
            ServingSettings serving,
            Duration modelTimeout,
            Duration asyncTimeout,
            List<String> problems) {
        boolean twoCalls = serving.cascade() != null || !serving.fallbackByModel().isEmpty();
        if (twoCalls
                && asyncTimeout != null
                && !modelTimeout.isZero()
                && modelTimeout.multipliedBy(2).compareTo(asyncTimeout) >= 0) {
            problems.add(
                    MODEL_TIMEOUT.key()
                            + " ("
                            + modelTimeout
                            + ") x 2 must be less than "
                            + ASYNC_TIMEOUT.key()
                            + " ("
                            + asyncTimeout
                            + "): with a cascade or a fallback model an event may need two model"
                            + " calls");
        }
    }

    /** The model cache, residency bound, idle unloading, GPU fallback and engine. */
    private static RegistrySettings readRegistry(Reader read, List<String> problems) {
        String cacheDir = read.value(MODEL_CACHE_DIR);
        if (cacheDir != null && !cacheDir.isBlank()) {
            Path path = Path.of(cacheDir);
            if (Files.exists(path) && !Files.isDirectory(path)) {
                problems.add(
                        MODEL_CACHE_DIR.key()
                                + ": "
                                + path.toAbsolutePath()
                                + " exists and is not a folder");
            }
        }
        int maxResident = read.atLeast(MAX_RESIDENT, 1);
        Duration idleUnload = read.positive(IDLE_UNLOAD);
        DevicePlacement.Fallback fallback = read.value(MODEL_DEVICE_FALLBACK);
        OnnxGpuProvider onnxGpuProvider = read.value(ONNX_GPU_PROVIDER);
        EngineChoice engine = read.value(MODEL_ENGINE);
        if (cacheDir == null
                || onnxGpuProvider == null
                || engine == null
                || idleUnload == null
                || idleUnload.isNegative()
                || idleUnload.isZero()
                || fallback == null
                || maxResident < 1) {
            return RegistrySettings.DEFAULTS; // the problems are reported
        }
        return new RegistrySettings(
                cacheDir, maxResident, idleUnload, fallback, onnxGpuProvider, engine);
    }

    /** Per-user compute budgets; off unless a positive number of inferences is set. */
    private static BudgetSettings readBudget(Reader read, Float fallbackScore) {
        int maxInferences = read.atLeast(BUDGET_MAX_INFERENCES, 0);
        Duration window = read.positive(BUDGET_WINDOW);
        BudgetTime time = read.value(BUDGET_TIME);
        OverBudgetAction action = read.value(BUDGET_ACTION);
        return new BudgetSettings(
                maxInferences,
                window == null ? BUDGET_WINDOW.defaultValue() : window,
                time,
                action,
                fallbackScore == null ? 0f : fallbackScore);
    }

    /** The decoder's rules: wire format, size limits, key, age and feature ranges. */
    private static InputSettings readInput(Reader read, List<String> problems) {
        WireFormat format = read.value(WIRE_FORMAT);
        List<Integer> schemaIds = read.value(SCHEMA_IDS);
        if (format == WireFormat.CONFLUENT && (schemaIds == null || schemaIds.isEmpty())) {
            problems.add(
                    SCHEMA_IDS.key()
                            + " must name at least one schema id when "
                            + WIRE_FORMAT.key()
                            + " = CONFLUENT");
        }
        int maxRecordBytes = read.bytes(MAX_RECORD_SIZE);
        int maxStringLength = read.bytes(MAX_STRING_LENGTH);
        int maxItems = read.atLeast(MAX_COLLECTION_ITEMS, 1);
        Boolean requireKey = read.value(REQUIRE_KEY);
        Duration maxAge = read.notNegative(MAX_EVENT_AGE);
        FeatureRange range = read.parsed(FEATURE_RANGE, FeatureRange::parse);
        Map<String, FeatureRange> ranges = new HashMap<>();
        Map<String, String> rangeTexts = read.value(FEATURE_RANGES);
        if (rangeTexts != null) {
            rangeTexts.forEach(
                    (feature, text) -> {
                        try {
                            ranges.put(feature, FeatureRange.parse(text));
                        } catch (IllegalArgumentException e) {
                            problems.add(
                                    FEATURE_RANGES.key() + ": " + feature + ": " + e.getMessage());
                        }
                    });
        }
        if (!problems.isEmpty()) {
            return InputSettings.defaults();
        }
        InputRules rules =
                new InputRules(
                        format,
                        Set.copyOf(schemaIds),
                        maxRecordBytes,
                        new ReaderLimits(maxStringLength, maxStringLength, maxItems),
                        requireKey,
                        maxAge,
                        range,
                        Map.of());
        return new InputSettings(rules, ranges);
    }

    private static void checkTopicsDistinct(KafkaSettings kafka, List<String> problems) {
        List<String> topics =
                List.of(
                        String.valueOf(kafka.eventsTopic()),
                        String.valueOf(kafka.predictionsTopic()),
                        String.valueOf(kafka.deadLetterTopic()));
        if (new HashSet<>(topics).size() < topics.size()) {
            problems.add(
                    EVENTS_TOPIC.key()
                            + ", "
                            + PREDICTIONS_TOPIC.key()
                            + " and "
                            + DEAD_LETTER_TOPIC.key()
                            + " must be three different topics, got "
                            + topics);
        }
    }

    /**
     * The largest dead letter must fit a producer request; the topic's own limit is checked by
     * {@code KafkaPreflight}, which reads it from the brokers.
     */
    private static void checkDeadLettersFitRequests(KafkaSettings kafka, List<String> problems) {
        if (problems.stream().anyMatch(p -> p.startsWith(DEAD_LETTER_MAX_SIZE.key()))) {
            return; // not a size at all: reported
        }
        if (kafka.deadLetterMaxBytes() < DeadLetterTrimmer.MIN_MAX_BYTES) {
            problems.add(
                    DEAD_LETTER_MAX_SIZE.key()
                            + " must be at least "
                            + DeadLetterTrimmer.MIN_MAX_BYTES
                            + " bytes (room for a dead letter's fields besides the value), got "
                            + kafka.deadLetterMaxBytes());
            return;
        }
        if (kafka.clientProperties() == null) {
            return; // reported
        }
        int maxRequestSize;
        try {
            maxRequestSize = kafka.producerMaxRequestSize();
        } catch (NumberFormatException e) {
            problems.add(
                    KAFKA_PROPERTIES.key()
                            + ": "
                            + KafkaSettings.MAX_REQUEST_SIZE
                            + " must be a whole number of bytes");
            return;
        }
        int needed = kafka.deadLetterMaxBytes() + KafkaSettings.RECORD_OVERHEAD;
        if (needed > maxRequestSize) {
            problems.add(
                    DEAD_LETTER_MAX_SIZE.key()
                            + " ("
                            + kafka.deadLetterMaxBytes()
                            + " bytes) + "
                            + KafkaSettings.RECORD_OVERHEAD
                            + " bytes of record overhead exceeds "
                            + KafkaSettings.MAX_REQUEST_SIZE
                            + " ("
                            + maxRequestSize
                            + ") in "
                            + KAFKA_PROPERTIES.key()
                            + ": the producer would refuse the largest dead letter; lower the"
                            + " first or raise the second");
        }
    }

    /**
     * The source commits its position when a checkpoint completes, but the events just before it
     * may still be in flight in the checkpoint's state (the async operator's queue): a job that
     * starts from those offsets without the checkpoint never scores them.
     */
    private static void checkNeverStartsFromItsOwnCommits(
            KafkaSettings kafka, List<String> problems) {
        if (kafka.commitOffsets()
                && kafka.startingOffsets() == StartingOffsets.COMMITTED_OR_EARLIEST) {
            problems.add(
                    STARTING_OFFSETS.key()
                            + " COMMITTED_OR_EARLIEST cannot be combined with "
                            + COMMIT_OFFSETS.key()
                            + " true: the committed offsets run ahead of what the job has scored"
                            + " (events in flight live only in its checkpoints), so a job started"
                            + " from them loses those events; resume from a checkpoint or savepoint"
                            + " instead, or start at EARLIEST or LATEST");
        }
    }

    private static void checkExactlyOnce(
            KafkaSettings kafka, CheckpointSettings checkpoints, List<String> problems) {
        if (kafka.deliveryGuarantee() != DeliveryMode.EXACTLY_ONCE) {
            return;
        }
        if (kafka.transactionalIdPrefix() == null || kafka.transactionalIdPrefix().isBlank()) {
            problems.add(
                    TRANSACTIONAL_ID_PREFIX.key()
                            + " must be set (unique per job) for "
                            + DELIVERY_GUARANTEE.key()
                            + " = EXACTLY_ONCE");
        }
        Duration interval = checkpoints.interval();
        if (interval.isZero() || interval.isNegative()) {
            problems.add(
                    CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                            + " must be positive for EXACTLY_ONCE: transactions commit on checkpoints");
        } else if (kafka.transactionTimeout() != null
                && kafka.transactionTimeout().compareTo(interval) <= 0) {
            problems.add(
                    TRANSACTION_TIMEOUT.key()
                            + " ("
                            + kafka.transactionTimeout()
                            + ") must be longer than "
                            + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                            + " ("
                            + interval
                            + "), or open transactions time out before they commit");
        }
    }

    /**
     * An exactly-once transaction opens at one checkpoint and commits at the next; after a failure
     * it is committed (or aborted) only once the job is back. The transaction timeout must cover
     * the checkpoint interval plus the longest wait before a restart, or Kafka aborts the
     * transaction and its records are lost.
     */
    private static void checkTransactionsOutliveRestarts(
            Configuration conf,
            KafkaSettings kafka,
            CheckpointSettings checkpoints,
            List<String> problems) {
        Duration interval = checkpoints.interval();
        Duration timeout = kafka.transactionTimeout();
        if (kafka.deliveryGuarantee() != DeliveryMode.EXACTLY_ONCE
                || timeout == null
                || interval.isZero()
                || interval.isNegative()
                || timeout.compareTo(interval) <= 0) {
            return; // not exactly-once, or already reported by checkExactlyOnce
        }
        RestartDelay restart = RestartDelay.of(conf);
        Duration needed = interval.plus(restart.longest());
        if (restart.longest().isZero() || timeout.compareTo(needed) > 0) {
            return;
        }
        problems.add(
                TRANSACTION_TIMEOUT.key()
                        + " ("
                        + timeout
                        + ") must be longer than "
                        + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                        + " ("
                        + interval
                        + ") + "
                        + restart.key()
                        + " ("
                        + restart.longest()
                        + ") = "
                        + needed
                        + ": a transaction open when the job fails must still be open when the"
                        + " restarted job commits it");
    }

    /** Reads options and records a problem, naming the key, for each bad value. */
    record Reader(Configuration conf, List<String> problems) {

        <T> T value(ConfigOption<T> option) {
            try {
                return conf.get(option);
            } catch (RuntimeException e) {
                problems.add(option.key() + ": " + e.getMessage());
                return null;
            }
        }

        String required(ConfigOption<String> option) {
            String value = value(option);
            if (value == null || value.isBlank()) {
                problems.add(option.key() + " is required");
            }
            return value;
        }

        String nonBlank(ConfigOption<String> option) {
            String value = value(option);
            if (value != null && value.isBlank()) {
                problems.add(option.key() + " must not be blank");
            }
            return value;
        }

        int atLeast(ConfigOption<Integer> option, int minimum) {
            Integer value = value(option);
            if (value != null && value < minimum) {
                problems.add(option.key() + " must be at least " + minimum + ", got " + value);
            }
            return value == null ? minimum : value;
        }

        /** The value when set, checked against {@code minimum}; null when the option is unset. */
        Integer optionalAtLeast(ConfigOption<Integer> option, int minimum) {
            return conf.contains(option) ? atLeast(option, minimum) : null;
        }

        Duration positive(ConfigOption<Duration> option) {
            Duration value = value(option);
            if (value != null && (value.isZero() || value.isNegative())) {
                problems.add(option.key() + " must be positive, got " + value);
            }
            return value;
        }

        Duration notNegative(ConfigOption<Duration> option) {
            Duration value = value(option);
            if (value != null && value.isNegative()) {
                problems.add(option.key() + " must not be negative, got " + value);
            }
            return value == null ? Duration.ZERO : value;
        }

        /** A memory size in bytes, between 1 byte and the largest array the JVM allocates. */
        int bytes(ConfigOption<MemorySize> option) {
            MemorySize value = value(option);
            if (value == null) {
                return 1;
            }
            if (value.getBytes() < 1 || value.getBytes() > ReaderLimits.VM_LIMIT) {
                problems.add(
                        option.key()
                                + " must be between 1 byte and "
                                + ReaderLimits.VM_LIMIT
                                + " bytes, got "
                                + value);
                return 1;
            }
            return (int) value.getBytes();
        }

        <T> T parsed(ConfigOption<String> option, Function<String, T> parse) {
            String text = value(option);
            if (text == null) {
                return null;
            }
            try {
                return parse.apply(text);
            } catch (RuntimeException e) {
                problems.add(option.key() + ": " + e.getMessage());
                return null;
            }
        }

        void check(ConfigOption<?> option, Supplier<?> parse) {
            try {
                parse.get();
            } catch (RuntimeException e) {
                problems.add(option.key() + ": " + e.getMessage());
            }
        }
    }
}
