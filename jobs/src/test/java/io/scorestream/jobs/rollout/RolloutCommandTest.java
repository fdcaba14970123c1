package io.scorestream.jobs.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.config.UsageException;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.ModelRollout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code scorestream rollout} against a real in-process broker and the reference models. */
class RolloutCommandTest {

    private static final AvroCodec<ModelRollout> CODEC = AvroCodec.of(ModelRollout.class);
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30.123Z");

    private static EmbeddedKafka kafka;

    private String topic;
    private ByteArrayOutputStream printed;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void freshTopic() throws Exception {
        topic = "control-" + UUID.randomUUID();
        kafka.createTopics(1, List.of(topic));
        printed = new ByteArrayOutputStream();
    }

    @Test
    void canaryRampAndPromoteEachPublishOneRecordKeyedByModel() throws Exception {
        ModelRollout canary =
                rollout("fraud-mlp", "--candidate", "2", "--percent", "10", "--stable", "1");
        assertThat(canary.getStableVersion()).isEqualTo("1");
        assertThat(canary.getCandidateVersion()).isEqualTo("2");
        assertThat(canary.getCandidatePercent()).isEqualTo(10);
        assertThat(canary.getIssuedBy()).isEqualTo("cli");
        assertThat(canary.getIssuedAt()).isEqualTo(NOW);
        assertThat(canary.getSupersedes()).isNull();
        assertThat(text())
                .contains(
                        "published: fraud-mlp: stable 1, candidate 2 at 10 % (rollout "
                                + canary.getRolloutId());

        ModelRollout ramp = rollout("fraud-mlp", "--percent", "50", "--reason", "looks good");
        assertThat(ramp.getStableVersion()).isEqualTo("1");
        assertThat(ramp.getCandidateVersion()).isEqualTo("2");
        assertThat(ramp.getCandidatePercent()).isEqualTo(50);
        assertThat(ramp.getReason()).isEqualTo("looks good");
        assertThat(ramp.getRolloutId()).isNotEqualTo(canary.getRolloutId());

        ModelRollout promote = rollout("fraud-mlp", "--promote");
        assertThat(promote.getStableVersion()).isEqualTo("2");
        assertThat(promote.getCandidateVersion()).isNull();
        assertThat(promote.getCandidatePercent()).isZero();

        List<ConsumerRecord<byte[], byte[]>> records = readAll();
        assertThat(records)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("fraud-mlp", "fraud-mlp", "fraud-mlp");
        assertThat(records)
                .extracting(r -> CODEC.decode(r.value()))
                .containsExactly(canary, ramp, promote);

        printed.reset();
        assertThat(rollout("fraud-mlp", "--status")).isEqualTo(promote);
        assertThat(text()).startsWith("in force: fraud-mlp: stable 2 (rollout ");
    }

    @Test
    void rollbackKeepsTheStableVersionAndNamesTheCandidateAtZeroPercent() throws Exception {
        rollout("intent-gru", "--candidate", "2", "--percent", "25", "--stable", "1");
        ModelRollout rollback = rollout("intent-gru", "--rollback", "--reason", "too slow");

        assertThat(rollback.getStableVersion()).isEqualTo("1");
        assertThat(rollback.getCandidateVersion()).isEqualTo("2");
        assertThat(rollback.getCandidatePercent()).isZero();
        assertThat(rollback.getReason()).isEqualTo("too slow");
        assertThatThrownBy(() -> rollout("intent-gru", "--rollback"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--rollback: candidate 2 of intent-gru already gets no traffic");
        assertThat(readAll()).hasSize(2);
    }

    @Test
    void statusFollowsTheJobsRulesIgnoringBadStaleAndForeignRecords() throws Exception {
        ModelRollout canary = record("r-1", "fraud-mlp", "1", "2", 10, null);
        publish(canary);
        publishRaw("not a rollout".getBytes(StandardCharsets.UTF_8));
        publish(record("r-2", "fraud-mlp", "1", null, 30, null)); // invalid: no candidate
        publish(record("r-3", "intent-gru", "1", "2", 90, null)); // another model
        publish(record("r-4", "fraud-mlp", "1", "2", 0, "r-0")); // stale: replaces another

        assertThat(rollout("fraud-mlp", "--status")).isEqualTo(canary);
        assertThat(text())
                .contains("in force: fraud-mlp: stable 1, candidate 2 at 10 % (rollout r-1")
                .contains("(2 invalid or stale records of fraud-mlp and 1 undecodable records");

        printed.reset();
        assertThat(rollout("mystery-model", "--status")).isNull();
        assertThat(text()).startsWith("no rollout in force for mystery-model on " + topic);
    }

    @Test
    void refusesVersionsTheRepositoryDoesNotHaveAndActionsWithoutAState() throws Exception {
        assertThatThrownBy(() -> rollout("fraud-mlp", "--candidate", "2", "--percent", "10"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--stable is required: no rollout in force for fraud-mlp on " + topic);
        assertThatThrownBy(
                        () ->
                                rollout(
                                        "fraud-mlp",
                                        "--candidate",
                                        "9",
                                        "--percent",
                                        "10",
                                        "--stable",
                                        "1"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(
                        "--candidate: candidate version 9: model 'fraud-mlp' has no version '9'")
                .hasMessageContaining("available versions: [1, 2]");
        assertThatThrownBy(
                        () ->
                                rollout(
                                        "fraud-mlp",
                                        "--candidate",
                                        "1",
                                        "--percent",
                                        "10",
                                        "--stable",
                                        "1"))
                .hasMessage(
                        "that rollout would be invalid: candidateVersion equals stableVersion (1)");
        assertThatThrownBy(() -> rollout("fraud-mlp", "--promote"))
                .hasMessage("--promote: fraud-mlp has no candidate in force");
        assertThatThrownBy(() -> rollout("fraud-mlp", "--percent", "20"))
                .hasMessageContaining("--percent alone changes the candidate in force");
        assertThat(readAll()).as("nothing published").isEmpty();
    }

    @Test
    void aMissingTopicIsAKafkaFailureNamingIt() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit =
                    RolloutCommand.run(
                            RolloutOptions.parse(
                                    List.of(
                                            "fraud-mlp",
                                            "--status",
                                            "--bootstrap-servers",
                                            kafka.bootstrapServers(),
                                            "--topic",
                                            "no-such-topic")),
                            new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(exit).isEqualTo(1);
        } finally {
            System.setErr(stderr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("rollout failed: no topic 'no-such-topic': create it");
    }

    @Test
    void refusesBadCommandLinesNamingTheOption() {
        assertThatThrownBy(() -> RolloutOptions.parse(List.of("--status")))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("rollout needs a model name first");
        assertThatThrownBy(() -> RolloutOptions.parse(List.of("m", "--status")))
                .hasMessageStartingWith("--bootstrap-servers is required");
        assertThatThrownBy(() -> parse("m", "--promote", "--rollback"))
                .hasMessageStartingWith(
                        "choose one action of --candidate/--percent, --promote, --rollback,"
                                + " --status; got --promote and --rollback");
        assertThatThrownBy(() -> parse("m")).hasMessageStartingWith("choose one action");
        assertThatThrownBy(() -> parse("m", "--candidate", "2"))
                .hasMessage("--candidate 2 needs --percent");
        assertThatThrownBy(() -> parse("m", "--candidate", "2", "--percent", "101"))
                .hasMessage("--percent must be a whole number from 0 to 100, got '101'");
        assertThatThrownBy(() -> parse("m", "--candidate", "2", "--percent", "ten"))
                .hasMessage("--percent must be a whole number from 0 to 100, got 'ten'");
        assertThatThrownBy(() -> parse("m", "--rollback", "--stable", "1"))
                .hasMessage("--stable goes only with --candidate or --percent");
        assertThatThrownBy(() -> parse("m", "--candidate", "--percent", "3"))
                .hasMessageStartingWith("--candidate needs a value");
        assertThatThrownBy(() -> parse("m", "--status", "--colour", "red"))
                .hasMessageStartingWith("unknown option --colour");

        RolloutOptions defaults = parse("m", "--status");
        assertThat(defaults.topic()).isEqualTo("model-control");
        assertThat(defaults.modelRepository()).isEqualTo(Path.of("models"));
        assertThat(defaults.action()).isEqualTo(RolloutOptions.Action.STATUS);
    }

    // ---------------------------------------------------------------------------------------

    private static RolloutOptions parse(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", "k:9092"));
        return RolloutOptions.parse(all);
    }

    private ModelRollout rollout(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic,
                        "--model-repository",
                        models().toString()));
        return new RolloutCommand(client(), Clock.fixed(NOW, ZoneOffset.UTC))
                .execute(
                        RolloutOptions.parse(all),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String text() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    static Path models() {
        return Path.of(System.getProperty("scorestream.models.dir", "../models"));
    }

    private static ModelRollout record(
            String id,
            String model,
            String stable,
            String candidate,
            int percent,
            String replaces) {
        return ModelRollout.newBuilder()
                .setRolloutId(id)
                .setModel(model)
                .setStableVersion(stable)
                .setCandidateVersion(candidate)
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.ofEpochSecond(1))
                .setIssuedBy("test")
                .setSupersedes(replaces)
                .build();
    }

    private static Properties client() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", kafka.bootstrapServers());
        return properties;
    }

    private void publish(ModelRollout rollout) throws Exception {
        publishRaw(CODEC.encode(rollout));
    }

    private void publishRaw(byte[] value) throws Exception {
        Properties properties = client();
        properties.setProperty("acks", "all");
        properties.setProperty("max.in.flight.requests.per.connection", "1");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, value)).get();
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll() {
        Properties properties = client();
        properties.setProperty("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
