package io.scorestream.it.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exactly-once upstream aborts a transaction: its events are never scored, those of the
 * transaction it commits are, once each. Before, the source read {@code read_uncommitted} and
 * scored the aborted ones too.
 */
class UpstreamTransactionsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void eventsOfAnAbortedUpstreamTransactionAreNeverScored() throws Exception {
        Configuration conf =
                TestJobs.configuration("upstream-tx", KAFKA.bootstrapServers(), checkpoints);
        KAFKA.createTopics(2, TestJobs.topics(conf));
        List<InferenceEvent> aborted = TestJobs.events(TestJobs.sessions(51, 6));
        List<InferenceEvent> committed = TestJobs.events(TestJobs.sessions(52, 6));
        String events = conf.get(ScoringOptions.EVENTS_TOPIC);

        try (KafkaProducer<byte[], byte[]> upstream = transactionalProducer()) {
            upstream.initTransactions();
            upstream.beginTransaction();
            send(upstream, events, aborted);
            upstream.flush(); // on the broker, then aborted
            upstream.abortTransaction();
            upstream.beginTransaction();
            send(upstream, events, committed);
            upstream.commitTransaction();
        }
        JobClient job = TestJobs.start(conf, "upstream-tx");
        List<Prediction> predictions =
                JobRuns.awaitPredictions(KAFKA.clients(), conf, committed.size());
        job.cancel().get();

        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        committed.stream().map(InferenceEvent::getEventId).toList());
        assertThat(
                        KAFKA.clients()
                                .readToEnd(
                                        conf.get(ScoringOptions.DEAD_LETTER_TOPIC),
                                        DeadLetter.class,
                                        "read_committed"))
                .isEmpty();
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        properties.setProperty("transactional.id", "upstream-tx-producer");
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, List<InferenceEvent> events)
            throws Exception {
        for (KeyValue record : KafkaClients.keyedBySession(events)) {
            producer.send(new ProducerRecord<>(topic, record.key(), record.value())).get();
        }
    }
}
