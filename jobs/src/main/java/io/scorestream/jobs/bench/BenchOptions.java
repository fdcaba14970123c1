package io.scorestream.jobs.bench;

import io.scorestream.jobs.config.CheckpointSettings;
import io.scorestream.jobs.config.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

/**
 * Options of {@code scorestream bench}.
 *
 * @param quick a short smoke run (figures are rough)
 * @param models reference models to measure
 * @param maxBatchSize the engine's max batch size (vs_bare compares with bare at this size)
 * @param maxDelay how long the engine's oldest queued row may wait for its batch to fill
 * @param workerThreads the engine's inference worker threads (the bare loop always uses one)
 * @param parallelism parallelism of the Flink jobs (one TaskManager with as many slots); by default
 *     the cores the model's workers leave free (see {@link #defaultParallelism})
 * @param modelRepository the model repository folder
 * @param overload how long to offer 3x the measured Kafka capacity after the cases, or null
 * @param cases which case groups or Kafka cases to run (all by default)
 * @param events events each Kafka case works through at full speed
 * @param liveSessions sessions open at once in the Kafka cases' traffic
 * @param peerScript the Python peer's launcher ({@code bench/peer.sh})
 * @param managedMemory Flink's managed memory (RocksDB's) for the local cluster, or null for
 *     ScoreStream's local default ({@code LocalMemory})
 * @param checkpointInterval the Kafka cases' exactly-once checkpoint interval: the job's default
 *     unless told, since a checkpoint flushes RocksDB's memtables and commits the transactions
 */
public record BenchOptions(
        boolean quick,
        List<String> models,
        int maxBatchSize,
        Duration maxDelay,
        int workerThreads,
        int parallelism,
        Path modelRepository,
        Duration overload,
        Set<String> cases,
        long events,
        int liveSessions,
        Path peerScript,
        MemorySize managedMemory,
        Duration checkpointInterval) {

    /** The Kafka cases, each of which can be chosen alone with --cases; "kafka" is all of them. */
    public static final List<String> KAFKA_CASES =
            List.of(
                    "kafka-copy",
                    "passthrough-kafka",
                    "scorestream-kafka",
                    "scorestream-kafka-ordered",
                    "peer-python");

    /** Groups of cases that can be chosen with --cases. */
    public static final Set<String> CASE_GROUPS =
            Set.of("bare", "naive", "scorestream", "passthrough", "kafka");

    /** Events per Kafka case at full speed, by default: over a million sessions. */
    static final long DEFAULT_EVENTS = 2_000_000;

    /** Sessions open at once, by default (see {@link LiveSessions}). */
    static final int DEFAULT_LIVE_SESSIONS = 1_000_000;

    static final long QUICK_EVENTS = 20_000;
    static final int QUICK_LIVE_SESSIONS = 2_000;

    /** Whether {@code caseOrGroup} runs: chosen itself, or a Kafka case of the chosen "kafka". */
    public boolean runs(String caseOrGroup) {
        return cases.contains(caseOrGroup)
                || (KAFKA_CASES.contains(caseOrGroup) && cases.contains("kafka"));
    }

    /** Whether any Kafka case runs. */
    public boolean runsKafka() {
        return KAFKA_CASES.stream().anyMatch(this::runs);
    }

    public static final String USAGE =
            """
            Usage: scorestream bench [options]
              --quick                 a short smoke run of every case (figures are rough)
              --models <a,b>          models to measure (default fraud-mlp,intent-gru)
              --max-batch-size <n>    the engine's max batch size (default 64)
              --max-delay <time>      how long a row may wait for its batch to fill (default 0 ms)
              --worker-threads <n>    the engine's inference worker threads (default 1, as the
                                      bare loop's one thread)
              --parallelism <n>       Flink parallelism (default: the cores left to Flink by the
                                      worker threads, at least 1)
              --models-dir <dir>      model repository (default models)
              --cases <a,b>           only these of bare,naive,scorestream,passthrough,kafka
                                      (default all); kafka is kafka-copy,passthrough-kafka,
                                      scorestream-kafka,scorestream-kafka-ordered,peer-python,
                                      each of which can also be named alone
              --events <n>            events each Kafka case works through at full speed
                                      (default 2000000; 10000000 for the decay run)
              --live-sessions <n>     sessions open at once in the Kafka traffic (default 1000000)
              --managed-memory <size> Flink managed memory (RocksDB's) of the local cluster, e.g.
                                      128m for Flink's own local default (default 512m per slot)
              --peer <script>         the Python peer's launcher (default bench/peer.sh)
              --checkpoint-interval <time>  the Kafka cases' checkpoint interval (default the
                                      job's, 10s; a consumer sees predictions when it completes)
              --overload <time>       then offer 3x the measured Kafka capacity for this long, e.g. 60s,
                                      and report lag, checkpoints, live heap and drain time
            """;

    public static BenchOptions parse(List<String> args) {
        boolean quick = false;
        List<String> models = List.of("fraud-mlp", "intent-gru");
        int maxBatchSize = 64;
        Duration maxDelay = Duration.ZERO;
        int workerThreads = 1;
        Integer parallelism = null;
        Path repository = Path.of("models");
        Duration overload = null;
        Set<String> cases = CASE_GROUPS;
        Long events = null;
        Integer liveSessions = null;
        Path peerScript = Path.of("bench", "peer.sh");
        MemorySize managedMemory = null;
        Duration checkpointInterval = CheckpointSettings.DEFAULT_INTERVAL;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--quick")) {
                quick = true;
                continue;
            }
            if (rest.isEmpty()) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--models" -> models = Arrays.asList(value.split(","));
                case "--max-batch-size" -> maxBatchSize = positive(flag, value);
                case "--max-delay" -> maxDelay = duration(flag, value, Duration.ZERO, "1ms");
                case "--worker-threads" -> workerThreads = positive(flag, value);
                case "--parallelism" -> parallelism = positive(flag, value);
                case "--models-dir" -> repository = Path.of(value);
                case "--overload" -> overload = duration(flag, value, Duration.ofNanos(1), "60s");
                case "--cases" -> cases = caseGroups(value);
                case "--events" -> events = (long) positive(flag, value);
                case "--live-sessions" -> liveSessions = positive(flag, value);
                case "--peer" -> peerScript = Path.of(value);
                case "--managed-memory" -> managedMemory = memory(flag, value);
                case "--checkpoint-interval" ->
                        checkpointInterval = duration(flag, value, Duration.ofMillis(100), "10s");
                default -> throw new UsageException("unknown option " + flag + "\n" + USAGE);
            }
        }
        return new BenchOptions(
                quick,
                List.copyOf(models),
                maxBatchSize,
                maxDelay,
                workerThreads,
                parallelism != null
                        ? parallelism
                        : defaultParallelism(
                                Runtime.getRuntime().availableProcessors(), workerThreads),
                repository,
                overload,
                cases,
                events != null ? events : quick ? QUICK_EVENTS : DEFAULT_EVENTS,
                liveSessions != null
                        ? liveSessions
                        : quick ? QUICK_LIVE_SESSIONS : DEFAULT_LIVE_SESSIONS,
                peerScript,
                managedMemory,
                checkpointInterval);
    }

    /**
     * One task slot per core the model's worker threads (one intra-op thread each) leave free: a
     * slot more puts a task thread on the model's core, and the model then gets less than a core.
     * The naive job runs at the same parallelism, as the issue asks.
     */
    static int defaultParallelism(int cores, int workerThreads) {
        return Math.max(1, cores - workerThreads);
    }

    private static Set<String> caseGroups(String value) {
        Set<String> groups = Set.of(value.split(","));
        for (String group : groups) {
            if (!CASE_GROUPS.contains(group) && !KAFKA_CASES.contains(group)) {
                throw new UsageException(
                        "--cases takes some of "
                                + CASE_GROUPS
                                + " and "
                                + KAFKA_CASES
                                + ", got '"
                                + value
                                + "'");
            }
        }
        return groups;
    }

    private static MemorySize memory(String flag, String value) {
        try {
            MemorySize size = MemorySize.parse(value);
            if (size.getBytes() > 0) {
                return size;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new UsageException(flag + " must be a size such as 128m or 1g, got '" + value + "'");
    }

    /** A duration of at least {@code minimum}: zero for a delay, one nanosecond for a period. */
    private static Duration duration(String flag, String value, Duration minimum, String example) {
        try {
            Duration parsed = TimeUtils.parseDuration(value);
            if (parsed.compareTo(minimum) >= 0) {
                return parsed;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        String kind = minimum.isZero() ? "a duration" : "a positive duration";
        throw new UsageException(
                flag + " must be " + kind + " such as " + example + ", got '" + value + "'");
    }

    private static int positive(String flag, String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(flag + " must be a positive whole number, got '" + value + "'");
    }
}
