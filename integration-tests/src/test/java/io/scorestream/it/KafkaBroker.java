package io.scorestream.it;

import io.scorestream.it.input.KafkaClients;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import java.util.Collection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real in-process Kafka broker for the tests of one class: started before them, closed after. */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafka broker;
    private KafkaClients clients;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = EmbeddedKafka.start();
        clients = KafkaClients.plain(broker.bootstrapServers());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        broker.close();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Producer and read_committed consumer helpers for this broker. */
    public KafkaClients clients() {
        return clients;
    }

    public void createTopics(int partitions, Collection<String> topics) throws Exception {
        broker.createTopics(partitions, topics);
    }
}
