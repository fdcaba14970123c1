package io.scorestream.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.StageLatency;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The records the sinks write: topic, key, value, and a Kafka timestamp that is when the record was
 * made, so that a topic's time-based retention does not delete the output of old events.
 */
class KafkaConnectorsTest {

    /** Flink's element timestamp in the scoring job: the event's time, here months ago. */
    private static final long EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private static final Instant NOW = Instant.parse("2026-11-22T14:00:00Z");

    @Test
    void aPredictionIsStampedWithItsScoredTimeNotItsEventsTime() {
        Prediction prediction = prediction();

        ProducerRecord<byte[], byte[]> record =
                KafkaConnectors.predictionSerializer("predictions")
                        .serialize(prediction, null, EVENT_TIME);

        assertThat(record.timestamp()).isEqualTo(NOW.toEpochMilli());
        assertThat(record.topic()).isEqualTo("predictions");
        assertThat(record.partition()).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("session-1");
        assertThat(AvroCodec.of(Prediction.class).decode(record.value())).isEqualTo(prediction);
    }

    @Test
    void aDeadLetterIsStampedWithItsDeadLetterTimeAndKeyedLikeItsOriginal() {
        DeadLetter letter = deadLetter(ByteBuffer.wrap("key-1".getBytes(StandardCharsets.UTF_8)));

        ProducerRecord<byte[], byte[]> record =
                new DeadLetterRecordSerializer("events.dlq", 1000 * 1024)
                        .serialize(letter, null, EVENT_TIME);

        assertThat(record.timestamp()).isEqualTo(NOW.toEpochMilli());
        assertThat(record.topic()).isEqualTo("events.dlq");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
        DeadLetter written = AvroCodec.of(DeadLetter.class).decode(record.value());
        assertThat(written)
                .usingRecursiveComparison()
                .ignoringFields(
                        "originalValueSize",
                        "originalValueSha256",
                        "keptValueBytes",
                        "originalKeySize")
                .isEqualTo(letter);
        assertThat(written.getOriginalValueSize()).isEqualTo(3);
        assertThat(written.getKeptValueBytes()).isEqualTo(3);
        assertThat(written.getTruncated()).isFalse();
    }

    @Test
    void aDeadLetterLargerThanTheLimitIsCutToFit() {
        DeadLetter letter = deadLetter(ByteBuffer.wrap("key-1".getBytes(StandardCharsets.UTF_8)));
        letter.setOriginalValue(ByteBuffer.wrap(new byte[40_000]));

        ProducerRecord<byte[], byte[]> record =
                new DeadLetterRecordSerializer("events.dlq", 20_000)
                        .serialize(letter, null, EVENT_TIME);

        assertThat(record.key().length + record.value().length).isLessThanOrEqualTo(20_000);
        DeadLetter written = AvroCodec.of(DeadLetter.class).decode(record.value());
        assertThat(written.getTruncated()).isTrue();
        assertThat(written.getOriginalValueSize()).isEqualTo(40_000);
    }

    @Test
    void aDeadLetterWithoutAnOriginalKeyHasNoKey() {
        ProducerRecord<byte[], byte[]> record =
                new DeadLetterRecordSerializer("events.dlq", 1000 * 1024)
                        .serialize(deadLetter(null), null, null);

        assertThat(record.key()).isNull();
        assertThat(record.timestamp()).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void theSourceReadsCommittedRecordsUnlessTheUserSaysOtherwise() {
        assertThat(KafkaConnectors.sourceProperties(kafka(Map.of())))
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("bootstrap.servers", "localhost:9092");
        assertThat(
                        KafkaConnectors.sourceProperties(
                                kafka(Map.of("isolation.level", "read_uncommitted"))))
                .containsEntry("isolation.level", "read_uncommitted");
    }

    private static KafkaSettings kafka(Map<String, String> properties) {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        conf.set(ScoringOptions.KAFKA_PROPERTIES, properties);
        conf.set(
                ScoringOptions.MODEL_REPOSITORY,
                System.getProperty("scorestream.models.dir", "../models"));
        return ScoringSettings.from(conf).kafka();
    }

    private static Prediction prediction() {
        return Prediction.newBuilder()
                .setEventId("event-1")
                .setSessionId("session-1")
                .setEventType("click")
                .setModelName("fraud-mlp")
                .setModelVersion("2")
                .setScore(0.25f)
                .setScores(List.of(0.25f))
                .setEventTime(Instant.ofEpochMilli(EVENT_TIME))
                .setScoredTime(NOW)
                .setSessionEventCount(1)
                .setLatency(
                        StageLatency.newBuilder()
                                .setFeaturizeMicros(1)
                                .setQueueWaitMicros(2)
                                .setComputeMicros(3)
                                .setInferenceMicros(4)
                                .setBatchSize(1)
                                .setEndToEndMillis(NOW.toEpochMilli() - EVENT_TIME)
                                .build())
                .build();
    }

    private static DeadLetter deadLetter(ByteBuffer originalKey) {
        return DeadLetter.newBuilder()
                .setOriginalKey(originalKey)
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setStage("inference")
                .setReason("INFERENCE_FAILED")
                .setMessage("model fraud-mlp:2: broken")
                .setDeadLetterTime(NOW)
                .build();
    }
}
