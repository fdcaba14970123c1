package io.scorestream.jobs.kafka;

import static io.scorestream.jobs.config.ScoringOptions.BOOTSTRAP_SERVERS;
import static io.scorestream.jobs.config.ScoringOptions.DEAD_LETTER_MAX_SIZE;
import static io.scorestream.jobs.config.ScoringOptions.KAFKA_PROPERTIES;
import static io.scorestream.jobs.config.ScoringOptions.MAX_RECORD_SIZE;
import static io.scorestream.jobs.config.ScoringOptions.TRANSACTIONAL_ID_PREFIX;

import io.scorestream.jobs.config.DeliveryMode;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a job is submitted, that Kafka accepts the job's client settings: the brokers
 * answer, the TLS handshake and the SASL login succeed, the three topics exist and may be
 * described, and the record size settings fit the topics' limits. A Flink job cannot tell a wrong
 * password from a passing network error, so it would restart again and again under Flink's default
 * restart strategy; this fails once, at once, with a message that names the setting to fix.
 *
 * <p>Messages never contain a property's value: they name keys only, so no secret reaches a log.
 */
public final class KafkaPreflight {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPreflight.class);

    /** The topic setting that bounds one record batch, hence one record. */
    static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    /**
     * The sinks' names in their transactional id prefixes, as {@link KafkaConnectors} sets them.
     */
    private static final List<String> SINK_NAMES = List.of("predictions", "dead-letters");

    /** Transaction states of a transaction that has begun and not ended. */
    private static final Set<TransactionState> OPEN =
            EnumSet.of(
                    TransactionState.ONGOING,
                    TransactionState.PREPARE_COMMIT,
                    TransactionState.PREPARE_ABORT);

    private KafkaPreflight() {}

    /**
     * @throws InvalidSettingsException when Kafka cannot be used with these settings; the message
     *     names the setting and what Kafka said
     */
    public static void check(KafkaSettings kafka, Duration timeout) {
        check(kafka, timeout, List.of());
    }

    /**
     * {@link #check(KafkaSettings, Duration)}, and that {@code moreTopics} (the control topic)
     * exist and may be used too.
     */
    public static void check(KafkaSettings kafka, Duration timeout, List<String> moreTopics) {
        Properties properties = kafka.clientPropertiesWithBootstrap();
        String millis = String.valueOf(timeout.toMillis());
        properties.setProperty("default.api.timeout.ms", millis);
        properties.setProperty("request.timeout.ms", millis);
        Set<String> topics =
                new LinkedHashSet<>(
                        List.of(
                                kafka.eventsTopic(),
                                kafka.predictionsTopic(),
                                kafka.deadLetterTopic()));
        topics.addAll(moreTopics);
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(properties)) {
            for (var topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
                try {
                    topic.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    String problem = describe(kafka, topic.getKey(), e.getCause());
                    if (!problems.contains(problem)) {
                        problems.add(problem);
                    }
                }
            }
        } catch (TimeoutException e) {
            problems.add(noAnswer(kafka, timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    public static void check(KafkaSettings kafka) {
        check(kafka, DEFAULT_TIMEOUT);
    }

    /**
     * Everything start-up checks on Kafka for {@code settings}: {@link #check(KafkaSettings,
     * Duration, List)} with the control topic, then {@link #checkRecordLimits}.
     */
    public static void check(ScoringSettings settings) {
        check(settings.kafka(), DEFAULT_TIMEOUT, List.of(settings.rollout().controlTopic()));
        checkRecordLimits(
                settings.kafka(), settings.input().rules().maxRecordBytes(), DEFAULT_TIMEOUT);
    }

    /**
     * Reads the events and dead-letter topics' {@code max.message.bytes} and refuses size settings
     * that contradict them: a dead letter as large as {@code scorestream.dead-letters.max-size}
     * that its topic would refuse (the write would fail and the job restart into it again and
     * again), and a {@code scorestream.input.max-record-size} at or above what the events topic
     * accepts (OVERSIZED_RECORD could never fire). Without the right to describe the topics'
     * configuration, it warns and passes.
     *
     * @throws InvalidSettingsException naming the settings and the topic
     */
    public static void checkRecordLimits(
            KafkaSettings kafka, int maxRecordBytes, Duration timeout) {
        Properties properties = kafka.clientPropertiesWithBootstrap();
        String millis = String.valueOf(timeout.toMillis());
        properties.setProperty("default.api.timeout.ms", millis);
        properties.setProperty("request.timeout.ms", millis);
        Map<String, Integer> limits = new HashMap<>();
        try (Admin admin = Admin.create(properties)) {
            List<ConfigResource> topics =
                    List.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, kafka.eventsTopic()),
                            new ConfigResource(ConfigResource.Type.TOPIC, kafka.deadLetterTopic()));
            admin.describeConfigs(topics)
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach(
                            (topic, config) -> {
                                ConfigEntry limit = config.get(MAX_MESSAGE_BYTES);
                                if (limit != null && limit.value() != null) {
                                    limits.put(topic.name(), Integer.parseInt(limit.value()));
                                }
                            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn(
                    "Could not read {} of topics {} and {} to check the record size settings"
                            + " against them: {}",
                    MAX_MESSAGE_BYTES,
                    kafka.eventsTopic(),
                    kafka.deadLetterTopic(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka topics", e);
        }
        List<String> problems = recordLimitProblems(kafka, maxRecordBytes, limits);
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    /** The size settings that contradict the topics' {@code max.message.bytes}, by topic. */
    static List<String> recordLimitProblems(
            KafkaSettings kafka, int maxRecordBytes, Map<String, Integer> maxMessageBytes) {
        List<String> problems = new ArrayList<>();
        Integer deadLetterLimit = maxMessageBytes.get(kafka.deadLetterTopic());
        int deadLetterRecord = kafka.deadLetterMaxBytes() + KafkaSettings.RECORD_OVERHEAD;
        if (deadLetterLimit != null && deadLetterRecord > deadLetterLimit) {
            problems.add(
                    DEAD_LETTER_MAX_SIZE.key()
                            + " ("
                            + kafka.deadLetterMaxBytes()
                            + " bytes) + "
                            + KafkaSettings.RECORD_OVERHEAD
                            + " bytes of record overhead exceeds "
                            + MAX_MESSAGE_BYTES
                            + " ("
                            + deadLetterLimit
                            + ") of topic "
                            + kafka.deadLetterTopic()
                            + ": the topic would refuse the largest dead letters; lower the"
                            + " setting or raise the topic's "
                            + MAX_MESSAGE_BYTES);
        }
        Integer eventsLimit = maxMessageBytes.get(kafka.eventsTopic());
        if (eventsLimit != null && maxRecordBytes >= eventsLimit - KafkaSettings.RECORD_OVERHEAD) {
            problems.add(
                    MAX_RECORD_SIZE.key()
                            + " ("
                            + maxRecordBytes
                            + " bytes) is at or above what topic "
                            + kafka.eventsTopic()
                            + " accepts ("
                            + MAX_MESSAGE_BYTES
                            + " "
                            + eventsLimit
                            + " less "
                            + KafkaSettings.RECORD_OVERHEAD
                            + " bytes of record overhead): OVERSIZED_RECORD could never fire;"
                            + " set it below "
                            + (eventsLimit - KafkaSettings.RECORD_OVERHEAD));
        }
        return problems;
    }

    /** {@link #check(KafkaSettings, Duration, List)} with the default timeout. */
    public static void check(KafkaSettings kafka, List<String> moreTopics) {
        check(kafka, DEFAULT_TIMEOUT, moreTopics);
    }

    /**
     * Refuses to start a second job with the transactional id prefix of a job that is running. Two
     * exactly-once jobs with one prefix do not fail: each silently fences the other's transactions,
     * and output goes missing or both jobs restart in turn.
     *
     * <p>A running job leaves a trace in the broker's transaction coordinator: its transactional
     * ids (which carry the prefix) open, commit and turn over with every checkpoint. Open
     * transactions alone prove nothing, since a job that crashed leaves its last ones open until
     * its restored run aborts them; so when the first look finds open transactions under the
     * prefix, a second look after {@code observeFor} (a checkpoint interval and a bit) decides: new
     * transactional ids or commits mean another job is writing. A job that has written nothing
     * since its last checkpoint cannot be told from a stopped one and passes.
     *
     * @throws InvalidSettingsException naming {@code scorestream.kafka.transactional-id-prefix}
     *     when another job is writing with it
     */
    public static void checkTransactionalIdPrefixIsFree(KafkaSettings kafka, Duration observeFor) {
        if (kafka.deliveryGuarantee() != DeliveryMode.EXACTLY_ONCE) {
            return;
        }
        Properties properties = kafka.clientPropertiesWithBootstrap();
        String millis = String.valueOf(DEFAULT_TIMEOUT.toMillis());
        properties.setProperty("default.api.timeout.ms", millis);
        properties.setProperty("request.timeout.ms", millis);
        try (Admin admin = Admin.create(properties)) {
            Map<String, TransactionListing> before = transactions(admin, kafka);
            boolean anyOpen = before.values().stream().anyMatch(t -> OPEN.contains(t.state()));
            if (!anyOpen) {
                return;
            }
            Thread.sleep(observeFor.toMillis());
            Map<String, TransactionListing> after = transactions(admin, kafka);
            List<String> moved = new ArrayList<>();
            for (TransactionListing now : after.values()) {
                TransactionListing then = before.get(now.transactionalId());
                boolean committed =
                        now.state() == TransactionState.COMPLETE_COMMIT
                                || now.state() == TransactionState.PREPARE_COMMIT;
                // Only a live producer commits; PREPARE_COMMIT completes by itself.
                boolean committedSince =
                        committed
                                && then != null
                                && then.state() != now.state()
                                && then.state() != TransactionState.PREPARE_COMMIT;
                if (then == null || committedSince) {
                    moved.add(now.transactionalId());
                }
            }
            if (!moved.isEmpty()) {
                Collections.sort(moved);
                throw new InvalidSettingsException(
                        List.of(
                                TRANSACTIONAL_ID_PREFIX.key()
                                        + ": another job is writing to Kafka at "
                                        + kafka.bootstrapServers()
                                        + " with transactional id prefix '"
                                        + kafka.transactionalIdPrefix()
                                        + "' (transactions "
                                        + String.join(
                                                ", ", moved.subList(0, Math.min(3, moved.size())))
                                        + (moved.size() > 3
                                                ? " and " + (moved.size() - 3) + " more"
                                                : "")
                                        + " began or committed within "
                                        + observeFor
                                        + "); give every job its own prefix, or stop the other job"
                                        + " first: two jobs with one prefix fence each other's"
                                        + " transactions"));
            }
        } catch (ExecutionException | TimeoutException e) {
            // Listing transactions needs DESCRIBE on transactional ids; without it, say so and go
            // on
            // (the other checks decide whether Kafka is usable at all).
            LOG.warn(
                    "Could not list Kafka transactions to check that {} is unused: {}",
                    TRANSACTIONAL_ID_PREFIX.key(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka transactions", e);
        }
    }

    /** The transactions of this job's sinks, by transactional id. */
    private static Map<String, TransactionListing> transactions(Admin admin, KafkaSettings kafka)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> prefixes =
                SINK_NAMES.stream()
                        .map(sink -> kafka.transactionalIdPrefix() + "-" + sink + "-")
                        .toList();
        Map<String, TransactionListing> ours = new HashMap<>();
        for (TransactionListing listing :
                admin.listTransactions()
                        .all()
                        .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            if (prefixes.stream().anyMatch(listing.transactionalId()::startsWith)) {
                ours.put(listing.transactionalId(), listing);
            }
        }
        return ours;
    }

    private static String describe(KafkaSettings kafka, String topic, Throwable cause) {
        String where = "Kafka at " + kafka.bootstrapServers();
        if (cause instanceof SslAuthenticationException) {
            return KAFKA_PROPERTIES.key()
                    + ": the TLS handshake with "
                    + where
                    + " failed ("
                    + cause.getMessage()
                    + "); check security.protocol and the ssl.truststore.* / ssl.keystore.*"
                    + " properties";
        }
        if (cause instanceof SaslAuthenticationException) {
            return KAFKA_PROPERTIES.key()
                    + ": "
                    + where
                    + " refused the login ("
                    + cause.getMessage()
                    + "); check sasl.mechanism and the user name and password of"
                    + " sasl.jaas.config";
        }
        if (cause instanceof AuthenticationException) {
            return KAFKA_PROPERTIES.key()
                    + ": "
                    + where
                    + " did not authenticate the client ("
                    + cause.getMessage()
                    + ")";
        }
        if (cause instanceof AuthorizationException) {
            return KAFKA_PROPERTIES.key()
                    + ": the user may not describe topic "
                    + topic
                    + " on "
                    + where
                    + " ("
                    + cause.getMessage()
                    + "); it needs read, write and describe ACLs on the job's topics";
        }
        if (cause instanceof UnknownTopicOrPartitionException) {
            return "topic " + topic + " does not exist on " + where + "; create it first";
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return noAnswer(kafka, null);
        }
        return where + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static String noAnswer(KafkaSettings kafka, Duration timeout) {
        return BOOTSTRAP_SERVERS.key()
                + ": no answer from Kafka at "
                + kafka.bootstrapServers()
                + (timeout == null ? "" : " within " + timeout)
                + "; check the address, and that security.protocol in "
                + KAFKA_PROPERTIES.key()
                + " matches the listener (a TLS listener does not answer plaintext clients)";
    }
}
