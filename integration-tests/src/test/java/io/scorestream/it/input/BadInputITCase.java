package io.scorestream.it.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.dlq.DeadLetterReplay;
import io.scorestream.jobs.dlq.ReplayOptions;
import io.scorestream.operators.ingest.WireFormat;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on a real broker and a MiniCluster: every kind lands in the dead-letter topic once,
 * with its reason, original bytes, key and source offset, while the job keeps running and scores
 * every good event exactly once; and dead letters replayed after a fix are scored exactly once.
 */
class BadInputITCase {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);
    private static final int SCHEMA_ID = 3;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
    @TempDir Path checkpoints;
    private String testId;

    @BeforeEach
    void name(TestInfo info) {
        testId = info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void everyKindOfBadInputIsDeadLetteredOnceWhileTheJobScoresTheRest() throws Exception {
        Configuration conf = configuration();
        conf.set(ScoringOptions.WIRE_FORMAT, WireFormat.CONFLUENT);
        conf.set(ScoringOptions.SCHEMA_IDS, List.of(SCHEMA_ID));
        conf.setString(ScoringOptions.MAX_RECORD_SIZE.key(), "16 kb");
        conf.set(ScoringOptions.REQUIRE_KEY, true);
        conf.set(ScoringOptions.MAX_EVENT_AGE, Duration.ofDays(3650));

        List<SyntheticSession> sessions = TestJobs.sessions(31, 15);
        List<InferenceEvent> good = TestJobs.events(sessions);
        InferenceEvent template = good.get(0);
        byte[] plain = codec.encode(bad(template, "plain", b -> b));
        Map<String, KeyValue> badByName = new HashMap<>();
        badByName.put("EMPTY_VALUE", new KeyValue(key("empty"), new byte[0]));
        badByName.put(
                "OVERSIZED_RECORD",
                framed(
                        bad(
                                template,
                                "big",
                                b -> b.setAttributes(Map.of("x", "x".repeat(20_000))))));
        badByName.put("BAD_MAGIC_BYTE", new KeyValue(key("plain"), plain));
        badByName.put(
                "UNKNOWN_SCHEMA_ID",
                new KeyValue(key("id"), concat(WireFormat.confluentHeader(SCHEMA_ID + 1), plain)));
        badByName.put(
                "UNDECODABLE",
                new KeyValue(key("garbage"), concat(header(), "this is not avro".getBytes())));
        badByName.put(
                "UNDECODABLE truncated",
                new KeyValue(
                        key("truncated"),
                        concat(header(), Arrays.copyOf(plain, plain.length - 5))));
        badByName.put(
                "WRONG_SCHEMA",
                new KeyValue(
                        key("foreign"), concat(header(), plain, new byte[] {6, 'e', 'u', '1'})));
        badByName.put(
                "OVERSIZED_FIELD",
                new KeyValue(key("huge"), concat(header(), declares2GbString())));
        badByName.put("MISSING_KEY", new KeyValue(null, frame(bad(template, "keyless", b -> b))));
        badByName.put("MISSING_EVENT_ID", framed(bad(template, "", b -> b)));
        badByName.put(
                "MISSING_SESSION_ID",
                framed(bad(template, "no-session", b -> b.setSessionId(null))));
        badByName.put(
                "UNKNOWN_EVENT_TYPE",
                framed(bad(template, "refund", b -> b.setEventType("refund"))));
        badByName.put(
                "WRONG_FEATURE_COUNT too few",
                framed(bad(template, "few", b -> b.setFeatures(List.of(1f)))));
        badByName.put(
                "WRONG_FEATURE_COUNT too many",
                framed(bad(template, "many", b -> b.setFeatures(floats(20, 1f)))));
        badByName.put(
                "NON_FINITE_FEATURE NaN",
                framed(bad(template, "nan", b -> b.setFeatures(withFirst(template, Float.NaN)))));
        badByName.put(
                "NON_FINITE_FEATURE infinite",
                framed(
                        bad(
                                template,
                                "inf",
                                b -> b.setFeatures(withFirst(template, Float.POSITIVE_INFINITY)))));
        badByName.put(
                "OUT_OF_RANGE_FEATURE",
                framed(bad(template, "range", b -> b.setFeatures(withFirst(template, 1e12f)))));
        badByName.put(
                "LATE_EVENT",
                framed(bad(template, "late", b -> b.setEventTime(Instant.ofEpochMilli(1_000)))));

        // Bad records spread among the good ones, all on the same topic.
        List<KeyValue> records = new ArrayList<>();
        List<String> names = new ArrayList<>(badByName.keySet());
        int next = 0;
        for (int i = 0; i < good.size(); i++) {
            records.add(framed(good.get(i)));
            if (i % 3 == 1 && next < names.size()) {
                records.add(badByName.get(names.get(next++)));
            }
        }
        while (next < names.size()) {
            records.add(badByName.get(names.get(next++)));
        }
        List<RecordMetadata> landed =
                KAFKA.clients().publish(topic(conf, ScoringOptions.EVENTS_TOPIC), records);

        JobClient job = TestJobs.start(conf, testId);
        List<Prediction> predictions = awaitPredictions(conf, good.size());
        List<DeadLetter> letters =
                KAFKA.clients()
                        .readCommitted(
                                topic(conf, ScoringOptions.DEAD_LETTER_TOPIC),
                                DeadLetter.class,
                                read -> read.size() >= badByName.size(),
                                READ_TIMEOUT);
        JobStatus status = job.getJobStatus().get();
        job.cancel().get();

        assertThat(status).as("the job keeps running").isEqualTo(JobStatus.RUNNING);
        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        good.stream().map(InferenceEvent::getEventId).toList());
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrderElementsOf(
                        names.stream().map(n -> n.split(" ")[0]).toList());
        Map<String, RecordMetadata> whereSent = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            whereSent.put(Arrays.toString(records.get(i).value()), landed.get(i));
        }
        for (DeadLetter letter : letters) {
            byte[] value = bytes(letter.getOriginalValue());
            KeyValue sent =
                    badByName.values().stream()
                            .filter(kv -> Arrays.equals(kv.value(), value))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("not sent: " + letter));
            RecordMetadata where = whereSent.get(Arrays.toString(value));
            assertThat(letter.getOriginalKey() == null ? null : bytes(letter.getOriginalKey()))
                    .isEqualTo(sent.key());
            assertThat(letter.getSourceTopic()).isEqualTo(topic(conf, ScoringOptions.EVENTS_TOPIC));
            assertThat(letter.getSourcePartition()).isEqualTo(where.partition());
            assertThat(letter.getSourceOffset()).isEqualTo(where.offset());
            assertThat(letter.getMessage()).isNotBlank();
        }
    }

    @Test
    void deadLettersReplayedAfterAFixAreScoredExactlyOnce() throws Exception {
        // First run: a range too tight for one feature dead-letters some good events.
        Configuration strict = configuration();
        strict.setString(ScoringOptions.FEATURE_RANGES.key(), "amount:0..1.5");
        List<SyntheticSession> sessions = TestJobs.sessions(32, 12);
        List<InferenceEvent> events = TestJobs.events(sessions);
        int amount = 0; // index of "amount" in the reference models' feature spec
        Set<String> tooLarge =
                events.stream()
                        .filter(e -> e.getFeatures().get(amount) > 1.5f)
                        .map(InferenceEvent::getEventId)
                        .collect(Collectors.toSet());
        assertThat(tooLarge)
                .as("events the strict range rejects")
                .isNotEmpty()
                .hasSizeLessThan(events.size());
        List<KeyValue> records = new ArrayList<>();
        for (InferenceEvent event : events) {
            records.add(new KeyValue(event.getSessionId().getBytes(), codec.encode(event)));
        }
        KAFKA.clients().publish(topic(strict, ScoringOptions.EVENTS_TOPIC), records);

        JobClient first = TestJobs.start(strict, testId + "-strict");
        awaitPredictions(strict, events.size() - tooLarge.size());
        List<DeadLetter> letters =
                KAFKA.clients()
                        .readCommitted(
                                topic(strict, ScoringOptions.DEAD_LETTER_TOPIC),
                                DeadLetter.class,
                                read -> read.size() >= tooLarge.size(),
                                READ_TIMEOUT);
        // Stopped with a savepoint, as for a redeployment: offsets and session state carry over.
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                checkpoints.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        assertThat(letters)
                .extracting(DeadLetter::getEventId)
                .containsExactlyInAnyOrderElementsOf(tooLarge);

        // The fix: the default range. Replay the rejected events and run the fixed job from the
        // savepoint: it reads only the replayed records, and scores each once.
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        new DeadLetterReplay(client)
                .replay(
                        ReplayOptions.parse(
                                List.of(
                                        "--bootstrap", KAFKA.bootstrapServers(),
                                        "--from-topic",
                                                topic(strict, ScoringOptions.DEAD_LETTER_TOPIC),
                                        "--to-topic", topic(strict, ScoringOptions.EVENTS_TOPIC),
                                        "--reason", "OUT_OF_RANGE_FEATURE")));
        Configuration fixed = configuration();
        fixed.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = TestJobs.start(fixed, testId + "-fixed");
        List<Prediction> predictions = awaitPredictions(fixed, events.size());
        second.cancel().get();

        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
    }

    // ---------------------------------------------------------------------------------------

    private Configuration configuration() throws Exception {
        Configuration conf = TestJobs.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        KAFKA.createTopics(3, TestJobs.topics(conf));
        return conf;
    }

    private static String topic(
            Configuration conf, org.apache.flink.configuration.ConfigOption<String> option) {
        return conf.get(option);
    }

    private List<Prediction> awaitPredictions(Configuration conf, int expected) {
        return KAFKA.clients()
                .readCommitted(
                        topic(conf, ScoringOptions.PREDICTIONS_TOPIC),
                        Prediction.class,
                        read ->
                                new HashSet<>(read.stream().map(Prediction::getEventId).toList())
                                                .size()
                                        >= expected,
                        READ_TIMEOUT);
    }

    private static InferenceEvent bad(
            InferenceEvent template, String id, UnaryOperator<InferenceEvent.Builder> change) {
        return change.apply(InferenceEvent.newBuilder(template).setEventId(id)).build();
    }

    private KeyValue framed(InferenceEvent event) {
        return new KeyValue(
                event.getSessionId() == null ? key("none") : event.getSessionId().getBytes(),
                frame(event));
    }

    private byte[] frame(InferenceEvent event) {
        return concat(header(), codec.encode(event));
    }

    private static byte[] header() {
        return WireFormat.confluentHeader(SCHEMA_ID);
    }

    private static byte[] key(String name) {
        return ("bad-" + name).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] declares2GbString() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        out.writeLong(2_000_000_000L);
        out.writeFixed("abc".getBytes());
        out.flush();
        return bytes.toByteArray();
    }

    private static List<Float> floats(int count, float value) {
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(value);
        }
        return values;
    }

    private static List<Float> withFirst(InferenceEvent template, float value) {
        List<Float> features = new ArrayList<>(template.getFeatures());
        features.set(0, value);
        return features;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
