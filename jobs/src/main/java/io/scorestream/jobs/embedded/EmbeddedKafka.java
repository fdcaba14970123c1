package io.scorestream.jobs.embedded;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on an
 * ephemeral loopback port. For the demo and the integration tests; deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {

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

    public String bootstrapServers() {
        return cluster.bootstrapServers();
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
