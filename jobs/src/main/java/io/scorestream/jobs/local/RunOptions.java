package io.scorestream.jobs.local;

import io.scorestream.jobs.config.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.TimeUtils;

/**
 * Options of {@code scorestream run}: its own flags, and the job's settings as {@code --key value}
 * pairs (ScoreStream's and Flink's), passed on as they are.
 *
 * @param fresh start without state even where checkpoints of the job exist (they are set aside)
 * @param fromSavepoint a savepoint or retained checkpoint to start from, or null
 * @param progressInterval how often a progress line is printed
 * @param settings the {@code --key value} pairs of the job's settings
 */
public record RunOptions(
        boolean fresh, String fromSavepoint, Duration progressInterval, List<String> settings) {

    public static final String USAGE =
            """
            Usage: scorestream run --scorestream.kafka.bootstrap-servers <host:port> [--key value ...]
                                   [--fresh | --from-savepoint <path>] [--progress-interval <time>]
              Resumes from the newest checkpoint or savepoint of the same job (the same
              scorestream.kafka.transactional-id-prefix) under execution.checkpointing.dir
              (default .scorestream/checkpoints); Ctrl-C or SIGTERM stops it with a savepoint.
              --fresh                    start without state; earlier checkpoints are set aside
              --from-savepoint <path>    start from this savepoint or retained checkpoint
              --progress-interval <time> how often to print a progress line (default 10s)
            """;

    public RunOptions {
        settings = List.copyOf(settings);
    }

    public static RunOptions parse(List<String> args) {
        boolean fresh = false;
        String fromSavepoint = null;
        Duration progressInterval = Duration.ofSeconds(10);
        List<String> settings = new ArrayList<>();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            switch (flag) {
                case "--fresh" -> fresh = true;
                case "--from-savepoint" -> fromSavepoint = value(flag, rest);
                case "--progress-interval" -> progressInterval = duration(flag, value(flag, rest));
                default -> {
                    if (!flag.startsWith("--") || flag.length() == 2) {
                        throw new UsageException("unexpected argument " + flag + "\n" + USAGE);
                    }
                    settings.add(flag);
                    settings.add(value(flag, rest));
                }
            }
        }
        if (fresh && fromSavepoint != null) {
            throw new UsageException(
                    "--fresh starts without state, --from-savepoint from a savepoint: give one\n"
                            + USAGE);
        }
        return new RunOptions(fresh, fromSavepoint, progressInterval, settings);
    }

    private static String value(String flag, List<String> rest) {
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            throw new UsageException(flag + " needs a value\n" + USAGE);
        }
        return rest.remove(0);
    }

    private static Duration duration(String flag, String value) {
        try {
            Duration duration = TimeUtils.parseDuration(value);
            if (duration.isZero() || duration.isNegative()) {
                throw new UsageException(flag + " must be positive, got " + value);
            }
            return duration;
        } catch (IllegalArgumentException e) {
            if (e instanceof UsageException) {
                throw e;
            }
            throw new UsageException(flag + ": not a duration: " + value);
        }
    }
}
