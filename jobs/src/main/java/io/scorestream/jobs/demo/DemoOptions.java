package io.scorestream.jobs.demo;

import io.scorestream.jobs.config.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.TimeUtils;

/**
 * Options of {@code scorestream demo}.
 *
 * @param rate events per second the synthetic producer aims for
 * @param duration how long it produces
 * @param warmup how long after the start events are left out of the latency figures (JIT, caches)
 * @param bootstrap an existing Kafka to use instead of the embedded broker, or null
 * @param model the reference model that scores the events
 * @param parallelism parallelism of the local Flink job
 * @param partitions partitions of the topics the demo creates
 * @param checkpointInterval how often the job checkpoints (and commits its Kafka transactions)
 * @param seed seed of the synthetic sessions (event ids are unique per seed)
 * @param modelRepository the model repository folder
 * @param workDirectory where checkpoints, broker data and logs go
 */
public record DemoOptions(
        int rate,
        Duration duration,
        Duration warmup,
        String bootstrap,
        String model,
        int parallelism,
        int partitions,
        Duration checkpointInterval,
        long seed,
        Path modelRepository,
        Path workDirectory) {

    public static final String USAGE =
            """
            Usage: scorestream demo [options]
              --rate <events/s>          synthetic events per second (default 3000)
              --duration <time>          how long to produce, e.g. 30s, 2m (default 60s)
              --warmup <time>            first part of the run left out of latency figures (default 5s)
              --bootstrap <host:port>    use this Kafka instead of starting an embedded broker
              --model <name>             reference model: fraud-mlp or intent-gru (default fraud-mlp)
              --parallelism <n>          Flink parallelism (default 2)
              --partitions <n>           partitions of the demo topics (default 4)
              --checkpoint-interval <t>  checkpoint (and transaction commit) interval (default 2s)
              --seed <n>                 seed of the synthetic sessions (default: from the clock)
              --models <dir>             model repository (default models)
              --work-dir <dir>           checkpoints, broker data and logs (default .scorestream/demo)
            """;

    public static DemoOptions parse(List<String> args) {
        int rate = 3000;
        Duration duration = Duration.ofSeconds(60);
        Duration warmup = Duration.ofSeconds(5);
        String bootstrap = null;
        String model = "fraud-mlp";
        int parallelism = 2;
        int partitions = 4;
        Duration checkpointInterval = Duration.ofSeconds(2);
        long seed = System.currentTimeMillis() % 1_000_000;
        Path models = Path.of("models");
        Path workDirectory = Path.of(".scorestream", "demo");
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (rest.isEmpty()) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--rate" -> rate = positiveInt(flag, value);
                case "--duration" -> duration = duration(flag, value, false);
                case "--warmup" -> warmup = duration(flag, value, true);
                case "--bootstrap" -> bootstrap = value;
                case "--model" -> model = value;
                case "--parallelism" -> parallelism = positiveInt(flag, value);
                case "--partitions" -> partitions = positiveInt(flag, value);
                case "--checkpoint-interval" -> checkpointInterval = duration(flag, value, false);
                case "--seed" -> seed = longValue(flag, value);
                case "--models" -> models = Path.of(value);
                case "--work-dir" -> workDirectory = Path.of(value);
                default -> throw new UsageException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (warmup.compareTo(duration) >= 0) {
            throw new UsageException(
                    "--warmup (" + warmup + ") must be shorter than --duration (" + duration + ")");
        }
        return new DemoOptions(
                rate,
                duration,
                warmup,
                bootstrap,
                model,
                parallelism,
                partitions,
                checkpointInterval,
                seed,
                models,
                workDirectory);
    }

    private static int positiveInt(String flag, String value) {
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

    private static long longValue(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " must be a whole number, got '" + value + "'");
        }
    }

    private static Duration duration(String flag, String value, boolean zeroAllowed) {
        try {
            Duration parsed = TimeUtils.parseDuration(value);
            if (!parsed.isNegative() && (zeroAllowed || !parsed.isZero())) {
                return parsed;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new UsageException(
                flag + " must be a positive duration such as 30s, got '" + value + "'");
    }
}
