package io.scorestream.jobs.rollout;

import io.scorestream.jobs.config.UsageException;
import io.scorestream.jobs.kafka.ControlTopic;
import io.scorestream.model.ModelException;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.rollout.ControlRecords;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.ModelRollout;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code scorestream rollout}: reads the rollout in force for a model from the control topic,
 * builds the record the action asks for, checks its versions exist in the model repository, and
 * publishes it (keyed by model name, confirmed by the broker before it returns); or, for {@code
 * --status}, prints the rollout in force.
 */
public final class RolloutCommand {

    /** Who records published here are issued by. */
    public static final String ISSUER = "cli";

    private final Properties clientProperties;
    private final Clock clock;

    /**
     * @param clientProperties Kafka client properties (bootstrap servers, security)
     * @param clock the time records are issued at
     */
    public RolloutCommand(Properties clientProperties, Clock clock) {
        this.clientProperties = clientProperties;
        this.clock = clock;
    }

    /**
     * Runs the command and prints its outcome; 0 on success, 1 when Kafka failed (the reason on
     * standard error). A command line that cannot be carried out throws {@link UsageException}.
     */
    public static int run(RolloutOptions options, PrintStream out) throws IOException {
        Properties properties = new Properties();
        if (options.clientConfig() != null) {
            try (Reader reader = Files.newBufferedReader(options.clientConfig())) {
                properties.load(reader);
            }
        }
        properties.setProperty("bootstrap.servers", options.bootstrapServers());
        try {
            new RolloutCommand(properties, Clock.systemUTC()).execute(options, out);
            return 0;
        } catch (KafkaException | IllegalStateException e) {
            // Kafka's messages name no property values, so no secret is printed here.
            System.err.println("rollout failed: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Carries out {@code options}; returns the record published, or the one in force for status.
     */
    public ModelRollout execute(RolloutOptions options, PrintStream out) {
        ControlLog.State state =
                new ControlLog(clientProperties).read(options.topic(), options.model());
        ModelRollout inForce = state.inForce();
        if (options.action() == RolloutOptions.Action.STATUS) {
            out.println(
                    inForce == null
                            ? "no rollout in force for "
                                    + options.model()
                                    + " on "
                                    + options.topic()
                            : "in force: " + ControlRecords.describe(inForce));
            if (state.ignored() + state.undecodable() > 0) {
                out.println(
                        "("
                                + state.ignored()
                                + " invalid or stale records of "
                                + options.model()
                                + " and "
                                + state.undecodable()
                                + " undecodable records on the topic were ignored)");
            }
            return inForce;
        }
        ModelRollout next = next(options, inForce);
        List<String> problems = ControlRecords.problems(next);
        if (!problems.isEmpty()) {
            throw new UsageException(
                    "that rollout would be invalid: " + String.join("; ", problems));
        }
        checkVersions(options, next);
        publish(options.topic(), next);
        out.println("published: " + ControlRecords.describe(next));
        return next;
    }

    private ModelRollout next(RolloutOptions options, ModelRollout inForce) {
        ModelRollout.Builder next =
                ModelRollout.newBuilder()
                        .setRolloutId(UUID.randomUUID().toString())
                        .setModel(options.model())
                        .setIssuedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS))
                        .setIssuedBy(ISSUER)
                        .setReason(options.reason());
        switch (options.action()) {
            case CANARY -> {
                String candidate = options.candidate();
                if (candidate == null) {
                    if (inForce == null || inForce.getCandidateVersion() == null) {
                        throw new UsageException(
                                "--percent alone changes the candidate in force, and "
                                        + options.model()
                                        + " has none: give --candidate");
                    }
                    candidate = inForce.getCandidateVersion();
                }
                String stable = options.stable();
                if (stable == null) {
                    if (inForce == null) {
                        throw new UsageException(
                                "--stable is required: no rollout in force for "
                                        + options.model()
                                        + " on "
                                        + options.topic());
                    }
                    stable = inForce.getStableVersion();
                }
                next.setStableVersion(stable)
                        .setCandidateVersion(candidate)
                        .setCandidatePercent(options.percent());
            }
            case PROMOTE -> {
                String candidate = candidateInForce("--promote", options, inForce);
                next.setStableVersion(candidate).setCandidateVersion(null).setCandidatePercent(0);
            }
            case ROLLBACK -> {
                String candidate = candidateInForce("--rollback", options, inForce);
                if (inForce.getCandidatePercent() == 0) {
                    throw new UsageException(
                            "--rollback: candidate "
                                    + candidate
                                    + " of "
                                    + options.model()
                                    + " already gets no traffic");
                }
                next.setStableVersion(inForce.getStableVersion())
                        .setCandidateVersion(candidate)
                        .setCandidatePercent(0);
            }
            default -> throw new IllegalArgumentException(options.action().name());
        }
        return next.build();
    }

    private static String candidateInForce(
            String flag, RolloutOptions options, ModelRollout inForce) {
        if (inForce == null || inForce.getCandidateVersion() == null) {
            throw new UsageException(
                    flag
                            + ": "
                            + options.model()
                            + " has no candidate in force"
                            + (inForce == null
                                    ? ""
                                    : " (" + ControlRecords.describe(inForce) + ")"));
        }
        return inForce.getCandidateVersion();
    }

    /** Both versions of the record must be in the model repository, with a valid manifest. */
    private static void checkVersions(RolloutOptions options, ModelRollout next) {
        ModelRepository repository;
        try {
            repository = ModelRepository.at(options.modelRepository());
        } catch (ModelException e) {
            throw new UsageException("--model-repository: " + e.getMessage());
        }
        check(repository, options, "stable", next.getStableVersion());
        if (next.getCandidateVersion() != null) {
            check(repository, options, "candidate", next.getCandidateVersion());
        }
    }

    private static void check(
            ModelRepository repository, RolloutOptions options, String role, String version) {
        try {
            repository.resolve(options.model(), version);
        } catch (ModelException e) {
            String flag =
                    switch (options.action()) {
                        case CANARY -> role.equals("stable") ? "--stable" : "--candidate";
                        case PROMOTE -> "--promote";
                        case ROLLBACK -> "--rollback";
                        case STATUS -> "--status";
                    };
            throw new UsageException(
                    flag + ": " + role + " version " + version + ": " + e.getMessage());
        }
    }

    private void publish(String topic, ModelRollout record) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    ControlTopic.key(record),
                                    AvroCodec.of(ModelRollout.class).encode(record)))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "publishing to " + topic + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not confirm the record in 30 s", e);
        }
    }
}
