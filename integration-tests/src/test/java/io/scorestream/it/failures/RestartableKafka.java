package io.scorestream.it.failures;

import kafka.server.BrokerServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node in-process Kafka (combined broker and controller, as {@code EmbeddedKafka}) whose
 * broker can be shut down and started again in place: same log directories, same port, so clients
 * reconnect to the address they were given, and transactions survive in the broker's transaction
 * log. The controller keeps running, as in a cluster whose broker restarts.
 */
final class RestartableKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private RestartableKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static RestartableKafka start() throws Exception {
        TestKitNodes nodes =
                new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .build();
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new RestartableKafka(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Shuts the broker down; clients see connection refused until {@link #startBroker}. */
    void stopBroker() {
        broker().shutdown();
    }

    /** Starts the stopped broker on its old port and data, and waits until it serves again. */
    void startBroker() throws Exception {
        broker().startup();
        cluster.waitForReadyBrokers();
    }

    private BrokerServer broker() {
        return cluster.brokers().values().iterator().next();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
