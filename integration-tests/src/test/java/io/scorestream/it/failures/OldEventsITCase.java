package io.scorestream.it.failures;

import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events older than the output topic's retention (a backfill, a replay, a job catching up from the
 * earliest offset, or test data dated in the past) still get predictions that stay in Kafka.
 *
 * <p>Kafka deletes a log segment once the newest timestamp in it is older than the topic's {@code
 * retention.ms} (7 days by default), at its retention check: 30 s after the broker starts, then
 * every 5 minutes. Predictions that carried their event's time as Kafka timestamp were deleted by
 * the first check after they were written: the predictions of the first seconds of {@code
 * ReactiveRescaleClusterIT}, whose events are dated 2026-01-01, vanished without any error. This
 * broker checks retention every 100 ms, so such a loss shows at once.
 */
class OldEventsITCase {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** Older than Kafka's default retention of 7 days, whatever the clock says. */
    private static final Duration EVENT_AGE = Duration.ofDays(30);

    private static final String CANARY_TOPIC = "retention-canary";

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    private static EmbeddedKafka kafka;

    @TempDir Path checkpoints;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka =
                EmbeddedKafka.start(
                        null,
                        Map.of(
                                "log.initial.task.delay.ms", "0",
                                "log.retention.check.interval.ms", "100"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void predictionsOfEventsOlderThanTheTopicsRetentionOutliveTheBrokersRetentionCheck()
            throws Exception {
        Configuration conf =
                TestJobs.configuration("old-events", kafka.bootstrapServers(), checkpoints);
        String eventsTopic = conf.get(ScoringOptions.EVENTS_TOPIC);
        String predictionsTopic = conf.get(ScoringOptions.PREDICTIONS_TOPIC);
        kafka.createTopics(3, TestJobs.topics(conf));
        kafka.createTopics(1, List.of(CANARY_TOPIC));
        List<InferenceEvent> events = oldEvents(40);
        KafkaClients clients = KafkaClients.plain(kafka.bootstrapServers());
        clients.publish(eventsTopic, keyedBySession(events));

        JobClient job = TestJobs.start(conf, "old events");
        try {
            awaitAllCommitted(clients, predictionsTopic, events.size());
            // Two retention checks, the second begun after every prediction was committed.
            awaitRetentionCheck();
            awaitRetentionCheck();
        } finally {
            job.cancel().get();
        }

        assertThat(KafkaClients.plain(kafka.bootstrapServers()).logStartOffsets(predictionsTopic))
                .as("first offset of each partition of %s", predictionsTopic)
                .allSatisfy((partition, offset) -> assertThat(offset).isZero());
        AvroCodec<Prediction> codec = AvroCodec.of(Prediction.class);
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaClients.plain(kafka.bootstrapServers())
                        .recordsToEnd(predictionsTopic, "read_committed");
        List<Prediction> predictions =
                records.stream().map(record -> codec.decode(record.value())).toList();
        assertThat(predictions.stream().map(Prediction::getEventId).toList())
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
        for (int i = 0; i < records.size(); i++) {
            Prediction prediction = predictions.get(i);
            assertThat(records.get(i).timestamp())
                    .as("Kafka timestamp of the prediction of %s", prediction.getEventId())
                    .isEqualTo(prediction.getScoredTime().toEpochMilli())
                    .isGreaterThan(prediction.getEventTime().toEpochMilli());
        }
    }

    private static List<InferenceEvent> oldEvents(int sessions) {
        long start = Instant.now().minus(EVENT_AGE).toEpochMilli();
        SyntheticSessions generator = new SyntheticSessions(21);
        List<SyntheticSession> generated = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            generated.add(generator.next(start + i * 1_000L));
        }
        return TestJobs.events(generated);
    }

    /** Waits until every event has a committed prediction; says what retention deleted if not. */
    private void awaitAllCommitted(KafkaClients clients, String topic, int events)
            throws Exception {
        try {
            clients.readCommitted(
                    topic,
                    Prediction.class,
                    read ->
                            new HashSet<>(read.stream().map(Prediction::getEventId).toList()).size()
                                    >= events,
                    READ_TIMEOUT);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage()
                            + " of "
                            + events
                            + "; first offsets by partition (above 0: deleted by the broker's"
                            + " retention): "
                            + clients.logStartOffsets(topic),
                    e);
        }
    }

    /**
     * Writes a record as old as the events to a canary topic and waits until the broker's retention
     * check deletes it. A check visits every log once, one check after the other: when a second
     * call returns, a whole check has run that began after the first call returned, so after
     * everything written before the first call.
     */
    private void awaitRetentionCheck() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", kafka.bootstrapServers());
        properties.setProperty("acks", "all");
        long offset;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            long old = Instant.now().minus(EVENT_AGE).toEpochMilli();
            offset =
                    producer.send(new ProducerRecord<>(CANARY_TOPIC, 0, old, null, new byte[1]))
                            .get(30, TimeUnit.SECONDS)
                            .offset();
        }
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (KafkaClients.plain(kafka.bootstrapServers()).logStartOffsets(CANARY_TOPIC).get(0)
                <= offset) {
            assertThat(System.nanoTime())
                    .as("the broker's retention check deleted the canary record")
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
