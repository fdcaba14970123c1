package io.scorestream.jobs.kafka;

import static io.scorestream.jobs.config.ScoringOptions.BOOTSTRAP_SERVERS;
import static io.scorestream.jobs.config.ScoringOptions.KAFKA_PROPERTIES;

import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before a job is submitted, that Kafka accepts the job's client settings: the brokers
 * answer, the TLS handshake and the SASL login succeed, and the three topics exist and may be
 * described. A Flink job cannot tell a wrong password from a passing network error, so it would
 * restart again and again under Flink's default restart strategy; this fails once, at once, with a
 * message that names the setting to fix.
 *
 * <p>Messages never contain a property's value: they name keys only, so no secret reaches a log.
 */
public final class KafkaPreflight {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {}

    /**
     * @throws InvalidSettingsException when Kafka cannot be used with these settings; the message
     *     names the setting and what Kafka said
     */
    public static void check(KafkaSettings kafka, Duration timeout) {
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
