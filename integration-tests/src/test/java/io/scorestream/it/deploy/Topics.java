package io.scorestream.it.deploy;

import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test input for the cluster tests: sessions, and a long-lived producer for steady traffic (reading
 * is {@link io.scorestream.it.input.KafkaClients}').
 */
final class Topics {

    private Topics() {}

    static List<SyntheticSession> sessions(long seed, int count) {
        SyntheticSessions generator = new SyntheticSessions(seed);
        List<SyntheticSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(generator.next(1_767_225_600_000L + i * 1_000L));
        }
        return sessions;
    }

    static List<InferenceEvent> events(List<SyntheticSession> sessions) {
        return sessions.stream().flatMap(s -> s.events().stream()).toList();
    }

    /** A producer that keys events by session id, so a session stays in order in one partition. */
    static final class EventProducer implements AutoCloseable {
        private final String topic;
        private final KafkaProducer<byte[], byte[]> producer;
        private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);

        EventProducer(String bootstrap, String topic) {
            this.topic = topic;
            Properties properties = new Properties();
            properties.setProperty("bootstrap.servers", bootstrap);
            properties.setProperty("acks", "all");
            properties.setProperty("enable.idempotence", "true");
            // Right after topic creation, retries with several requests in flight can reorder or
            // drop.
            properties.setProperty("max.in.flight.requests.per.connection", "1");
            producer =
                    new KafkaProducer<>(
                            properties, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** Sends {@code events} in order and waits until the broker has them all. */
        void send(List<InferenceEvent> events) throws Exception {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (InferenceEvent event : events) {
                byte[] key = event.getSessionId().getBytes(StandardCharsets.UTF_8);
                sends.add(producer.send(new ProducerRecord<>(topic, key, codec.encode(event))));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
