package io.scorestream.jobs.rollout;

import io.scorestream.jobs.config.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Options of {@code scorestream rollout}.
 *
 * @param model the model whose rollout changes
 * @param action what to do
 * @param candidate for {@link Action#CANARY}: the candidate version; null keeps the one in force
 * @param percent for {@link Action#CANARY}: the candidate's share of sessions, 0..100
 * @param stable for {@link Action#CANARY}: the stable version; null keeps the one in force
 * @param reason a note for people, written to the record; may be null
 * @param bootstrapServers Kafka bootstrap servers
 * @param topic the control topic
 * @param modelRepository where versions are checked to exist
 * @param clientConfig a Kafka client properties file (security settings), or null
 */
public record RolloutOptions(
        String model,
        Action action,
        String candidate,
        Integer percent,
        String stable,
        String reason,
        String bootstrapServers,
        String topic,
        Path modelRepository,
        Path clientConfig) {

    /** What {@code scorestream rollout} does. */
    public enum Action {
        /** Start or change a canary: candidate version and percent. */
        CANARY,
        /** The candidate becomes the stable version; no candidate. */
        PROMOTE,
        /** All traffic back to the stable version (candidate percent 0). */
        ROLLBACK,
        /** Print the rollout in force. */
        STATUS
    }

    public static final String USAGE =
            """
            Usage: scorestream rollout <model> <action> --bootstrap-servers <host:port> [options]
              Publishes a rollout record to the control topic, or shows the one in force; the running
              job follows it without a restart. Versions are checked against the model repository.
              Actions (one):
                --candidate <v> --percent <p> [--stable <v>]
                               send p % of sessions (0..100, sticky per session) to version v; the
                               stable version is --stable or the one in force
                --percent <p>  change the percent of the candidate in force
                --promote      the candidate in force becomes stable (percent 0)
                --rollback     all traffic back to the stable version (candidate percent 0)
                --status       print the rollout in force
              Options:
                --bootstrap-servers <host:port>  Kafka bootstrap servers (required)
                --topic <topic>                  control topic (default model-control)
                --model-repository <dir>         model repository (default models)
                --reason <text>                  a note written to the record
                --client-config <file>           Kafka client properties, e.g. security.protocol, sasl.*, ssl.*
            """;

    private static final Set<String> ACTION_FLAGS =
            Set.of("--candidate", "--percent", "--promote", "--rollback", "--status");

    public static RolloutOptions parse(List<String> args) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new UsageException("rollout needs a model name first\n" + USAGE);
        }
        String model = args.get(0);
        String candidate = null;
        Integer percent = null;
        String stable = null;
        String reason = null;
        String bootstrap = null;
        String topic = "model-control";
        Path repository = Path.of("models");
        Path clientConfig = null;
        Set<String> actions = new LinkedHashSet<>();
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (ACTION_FLAGS.contains(flag)) {
                actions.add(flag);
            }
            switch (flag) {
                case "--promote", "--rollback", "--status" -> {
                    continue;
                }
                default -> {
                    // every other flag takes a value
                }
            }
            if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--candidate" -> candidate = value;
                case "--percent" -> percent = percent(value);
                case "--stable" -> stable = value;
                case "--reason" -> reason = value;
                case "--bootstrap-servers" -> bootstrap = value;
                case "--topic" -> topic = value;
                case "--model-repository" -> repository = Path.of(value);
                case "--client-config" -> clientConfig = Path.of(value);
                default -> throw new UsageException("unknown option " + flag + "\n" + USAGE);
            }
        }
        Action action = action(actions, candidate, percent);
        if (stable != null && action != Action.CANARY) {
            throw new UsageException("--stable goes only with --candidate or --percent");
        }
        if (reason != null && action == Action.STATUS) {
            throw new UsageException("--reason goes only with an action that publishes");
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("--bootstrap-servers is required\n" + USAGE);
        }
        if (topic.isBlank()) {
            throw new UsageException("--topic must not be blank");
        }
        return new RolloutOptions(
                model,
                action,
                candidate,
                percent,
                stable,
                reason,
                bootstrap,
                topic,
                repository,
                clientConfig);
    }

    private static Action action(Set<String> flags, String candidate, Integer percent) {
        Set<String> chosen = new LinkedHashSet<>(flags);
        boolean canary = chosen.remove("--candidate") | chosen.remove("--percent");
        if (canary) {
            chosen.add("--candidate/--percent");
        }
        if (chosen.size() != 1) {
            throw new UsageException(
                    "choose one action of --candidate/--percent, --promote, --rollback, --status"
                            + (chosen.isEmpty() ? "" : "; got " + String.join(" and ", chosen))
                            + "\n"
                            + USAGE);
        }
        if (canary) {
            if (percent == null) {
                throw new UsageException("--candidate " + candidate + " needs --percent");
            }
            return Action.CANARY;
        }
        return switch (chosen.iterator().next()) {
            case "--promote" -> Action.PROMOTE;
            case "--rollback" -> Action.ROLLBACK;
            default -> Action.STATUS;
        };
    }

    private static int percent(String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 0 && parsed <= 100) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(
                "--percent must be a whole number from 0 to 100, got '" + value + "'");
    }
}
