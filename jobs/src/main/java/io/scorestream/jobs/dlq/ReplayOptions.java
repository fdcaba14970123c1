package io.scorestream.jobs.dlq;

import io.scorestream.jobs.config.UsageException;
import io.scorestream.operators.deadletter.DeadLetterReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Options of {@code scorestream replay-dlq}.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param fromTopic the dead-letter topic to read
 * @param toTopic the topic the original records are published to again
 * @param reasons only dead letters with one of these reasons; empty: all
 * @param limit most dead letters to replay
 * @param clientConfig a Kafka client properties file (security settings), or null
 */
public record ReplayOptions(
        String bootstrap,
        String fromTopic,
        String toTopic,
        Set<String> reasons,
        long limit,
        Path clientConfig) {

    public static final String USAGE =
            """
            Usage: scorestream replay-dlq --bootstrap <host:port> [options]
              Re-publishes the original key and value of chosen dead letters to the input topic,
              e.g. after a fix. Reads the dead-letter topic from its start to its current end
              (committed records only).
              --bootstrap <host:port>    Kafka bootstrap servers (required)
              --from-topic <topic>       dead-letter topic to read (default events.dlq)
              --to-topic <topic>         topic to publish the originals to (default events)
              --reason <REASON>          only dead letters with this reason; repeatable (default: all)
              --limit <n>                replay at most n dead letters (default: all)
              --client-config <file>     Kafka client properties, e.g. security.protocol, sasl.*, ssl.*
            """;

    public ReplayOptions {
        reasons = Set.copyOf(reasons);
    }

    public static ReplayOptions parse(List<String> args) {
        String bootstrap = null;
        String fromTopic = "events.dlq";
        String toTopic = "events";
        Set<String> reasons = new LinkedHashSet<>();
        long limit = Long.MAX_VALUE;
        Path clientConfig = null;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (rest.isEmpty()) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--bootstrap" -> bootstrap = value;
                case "--from-topic" -> fromTopic = value;
                case "--to-topic" -> toTopic = value;
                case "--reason" -> reasons.add(reason(value));
                case "--limit" -> limit = positive(flag, value);
                case "--client-config" -> clientConfig = Path.of(value);
                default -> throw new UsageException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("--bootstrap is required\n" + USAGE);
        }
        if (fromTopic.equals(toTopic)) {
            throw new UsageException(
                    "--from-topic and --to-topic must differ, both are '" + fromTopic + "'");
        }
        return new ReplayOptions(bootstrap, fromTopic, toTopic, reasons, limit, clientConfig);
    }

    /** True when a dead letter with {@code reason} is to be replayed. */
    public boolean wants(String reason) {
        return reasons.isEmpty() || reasons.contains(reason);
    }

    private static String reason(String value) {
        try {
            return DeadLetterReason.valueOf(value).name();
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--reason "
                            + value
                            + " is not a dead-letter reason; one of "
                            + Arrays.toString(DeadLetterReason.values()));
        }
    }

    private static long positive(String flag, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(flag + " must be a positive whole number, got '" + value + "'");
    }
}
