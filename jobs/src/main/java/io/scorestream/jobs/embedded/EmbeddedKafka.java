package io.scorestream.jobs.embedded;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on an
 * ephemeral loopback port. For the demo and the integration tests; deleted on close.
 *
 * <p>{@link #startSecure} adds a second client listener that speaks TLS and logs clients in with
 * SCRAM-SHA-512, as a production cluster would; the plaintext listener stays for setting up topics
 * and users, like a cluster's internal listener.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Name of the TLS + SCRAM listener of {@link #startSecure}. */
    public static final String SECURE_LISTENER = "SECURE";

    /** The SASL mechanism of the secure listener. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private static final int SCRAM_ITERATIONS = 4096;

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts a broker with its data under {@code baseDirectory} (a temporary folder if null). */
    public static EmbeddedKafka start(Path baseDirectory, Map<String, String> brokerProperties)
            throws Exception {
        TestKitNodes.Builder nodes =
                new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction());
        if (baseDirectory != null) {
            nodes.setBaseDirectory(baseDirectory);
        }
        KafkaClusterTestKit.Builder builder =
                new KafkaClusterTestKit.Builder(nodes.build())
                        // A single node must not wait for replicas it will never have.
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "false");
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    public static EmbeddedKafka start() throws Exception {
        return start(null, Map.of());
    }

    /**
     * Starts a broker with, beside the plaintext listener, a {@code SASL_SSL} listener: TLS with
     * the key and certificate of {@code keyStore} (PKCS12, valid for {@code localhost}), clients
     * logged in with SCRAM-SHA-512 against the users made by {@link #createScramUser}.
     */
    public static EmbeddedKafka startSecure(
            Path baseDirectory, Path keyStore, String keyStorePassword) throws Exception {
        String prefix = "listener.name." + SECURE_LISTENER.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> properties = new HashMap<>();
        properties.put(
                "listeners",
                "EXTERNAL://localhost:0,CONTROLLER://localhost:0,"
                        + SECURE_LISTENER
                        + "://localhost:0");
        properties.put(
                "listener.security.protocol.map",
                "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + SECURE_LISTENER + ":SASL_SSL");
        properties.put(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
        properties.put(
                prefix + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        properties.put(prefix + "ssl.keystore.type", "PKCS12");
        properties.put(prefix + "ssl.keystore.location", keyStore.toAbsolutePath().toString());
        properties.put(prefix + "ssl.keystore.password", keyStorePassword);
        properties.put(prefix + "ssl.key.password", keyStorePassword);
        return start(baseDirectory, properties);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** host:port of the TLS + SCRAM listener; only for a broker from {@link #startSecure}. */
    public String secureBootstrapServers() {
        BrokerServer broker = cluster.brokers().values().iterator().next();
        return "localhost:" + broker.boundPort(ListenerName.normalised(SECURE_LISTENER));
    }

    /** Creates or updates a SCRAM-SHA-512 user, through the plaintext listener. */
    public void createScramUser(String user, String password)
            throws InterruptedException, ExecutionException {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            user,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                                            password)))
                    .all()
                    .get();
            // The broker answers from its metadata: once it describes the user, logins work.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    admin.describeUserScramCredentials(List.of(user)).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    /** Creates topics, ignoring those that exist already. */
    public void createTopics(int partitions, Collection<String> topics)
            throws InterruptedException, ExecutionException {
        createTopics(bootstrapServers(), partitions, topics);
    }

    /** Creates topics on any Kafka cluster, ignoring those that exist already. */
    public static void createTopics(
            String bootstrapServers, int partitions, Collection<String> topics)
            throws InterruptedException, ExecutionException {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrapServers);
        try (Admin admin = Admin.create(properties)) {
            List<NewTopic> newTopics =
                    topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            for (var result : admin.createTopics(newTopics).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
