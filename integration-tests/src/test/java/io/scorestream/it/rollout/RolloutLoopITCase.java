package io.scorestream.it.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.DeliveryMode;
import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.StartingOffsets;
import io.scorestream.jobs.kafka.ControlTopic;
import io.scorestream.jobs.rollout.RolloutCommand;
import io.scorestream.jobs.rollout.RolloutOptions;
import io.scorestream.operators.rollout.RollbackPolicy;
import io.scorestream.operators.rollout.RolloutGuards;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.ModelStep;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.StageLatency;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live-rollout building blocks together on a MiniCluster and a real broker: a canary published
 * by {@code scorestream rollout}, read by the control-topic source into broadcast state, a
 * candidate scoring garbage caught by the rollback guard, its decision written by the control-topic
 * sink and read back as the rollout in force, all without a checkpoint.
 */
class RolloutLoopITCase {

    private static final String MODEL = "fraud-mlp";

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aGarbageCandidateIsRolledBackThroughTheControlTopicWithoutACheckpoint() throws Exception {
        String topic = "control-" + UUID.randomUUID();
        KAFKA.createTopics(1, List.of(topic));
        ModelRollout canary = cli(topic, "--candidate", "2", "--percent", "50", "--stable", "1");

        // No checkpoint happens while the test runs: what the sink writes must show at once.
        StreamExecutionEnvironment env = environment(Duration.ofHours(1));
        DataStream<Prediction> predictions =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new Predictions(canary.getRolloutId()),
                                Long.MAX_VALUE,
                                RateLimiterStrategy.perSecond(400),
                                new AvroTypeInfo<>(Prediction.class)),
                        WatermarkStrategy.noWatermarks(),
                        "Predictions");
        BroadcastStream<ModelRollout> control =
                env.fromSource(
                                ControlTopic.source(kafka(), topic),
                                WatermarkStrategy.noWatermarks(),
                                "Control topic")
                        .broadcast(RolloutState.DESCRIPTOR);
        RolloutGuards.apply(
                        predictions,
                        control,
                        new RollbackPolicy(
                                true,
                                Duration.ofMinutes(1),
                                50,
                                0.05,
                                Duration.ofMillis(500),
                                0.25))
                .sinkTo(ControlTopic.sink(kafka(), topic))
                .name("Control topic sink");
        JobClient job = env.executeAsync("rollout loop");
        try {
            List<ModelRollout> records =
                    KAFKA.clients()
                            .readCommitted(
                                    topic,
                                    ModelRollout.class,
                                    read ->
                                            read.stream()
                                                    .anyMatch(
                                                            r ->
                                                                    r.getIssuedBy()
                                                                            .equals(
                                                                                    "auto-rollback")),
                                    Duration.ofSeconds(60));

            assertThat(records).hasSize(2).first().isEqualTo(canary);
            ModelRollout rollback = records.get(1);
            assertThat(rollback.getSupersedes()).isEqualTo(canary.getRolloutId());
            assertThat(rollback.getStableVersion()).isEqualTo("1");
            assertThat(rollback.getCandidateVersion()).isEqualTo("2");
            assertThat(rollback.getCandidatePercent()).isZero();
            assertThat(rollback.getReason()).contains("score PSI");
            assertThat(cli(topic, "--status")).as("the rollout in force").isEqualTo(rollback);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void theControlSourceReplaysTheTopicFromItsStartAndSkipsUndecodableRecords() throws Exception {
        String topic = "control-" + UUID.randomUUID();
        KAFKA.createTopics(1, List.of(topic));
        ModelRollout canary = cli(topic, "--candidate", "2", "--percent", "5", "--stable", "1");
        KAFKA.clients()
                .publish(
                        topic,
                        List.of(
                                new KeyValue(
                                        MODEL.getBytes(StandardCharsets.UTF_8),
                                        "not a rollout".getBytes(StandardCharsets.UTF_8))));
        ModelRollout ramp = cli(topic, "--percent", "20");

        StreamExecutionEnvironment env = environment(Duration.ofSeconds(1));
        List<ModelRollout> read = new ArrayList<>();
        env.fromSource(
                        ControlTopic.sourceBuilder(kafka(), topic)
                                .setBounded(OffsetsInitializer.latest())
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "Control topic")
                .executeAndCollect()
                .forEachRemaining(read::add);

        assertThat(read).containsExactly(canary, ramp);
    }

    // ---------------------------------------------------------------------------------------

    /** Stable predictions with scores spread over [0, 1); candidate ones all 0.97: garbage. */
    /** Predictions as the job makes them while {@code rolloutId} is in force. */
    static final class Predictions implements GeneratorFunction<Long, Prediction> {
        private static final long serialVersionUID = 1L;

        private final String rolloutId;

        Predictions(String rolloutId) {
            this.rolloutId = rolloutId;
        }

        @Override
        public Prediction map(Long index) {
            boolean candidate = index % 2 == 1;
            float score = candidate ? 0.97f : ((index * 37) % 100) / 100f;
            long now = System.currentTimeMillis();
            return Prediction.newBuilder()
                    .setEventId("e-" + index)
                    .setSessionId("s-" + index)
                    .setEventType("click")
                    .setModelName(MODEL)
                    .setModelVersion(candidate ? "2" : "1")
                    .setScore(score)
                    .setScores(List.of(score))
                    .setEventTime(Instant.ofEpochMilli(now))
                    .setScoredTime(Instant.ofEpochMilli(now))
                    .setSessionEventCount(1)
                    .setRolloutId(rolloutId)
                    .setPath(List.of(new ModelStep(MODEL, candidate ? "2" : "1", "SCORED")))
                    .setLatency(
                            StageLatency.newBuilder()
                                    .setFeaturizeMicros(5)
                                    .setQueueWaitMicros(50)
                                    .setComputeMicros(200)
                                    .setInferenceMicros(400)
                                    .setBatchSize(8)
                                    .setEndToEndMillis(1)
                                    .build())
                    .build();
        }
    }

    private static StreamExecutionEnvironment environment(Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // as the job runs: no Kryo
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(TestJobs.PARALLELISM);
        return env;
    }

    private static KafkaSettings kafka() {
        return new KafkaSettings(
                KAFKA.bootstrapServers(),
                "events",
                "predictions",
                "events.dlq",
                "rollout-it",
                StartingOffsets.EARLIEST,
                false,
                DeliveryMode.AT_LEAST_ONCE,
                "rollout-it",
                Duration.ofMinutes(5),
                Map.of(),
                (int) ScoringOptions.DEAD_LETTER_MAX_SIZE.defaultValue().getBytes());
    }

    private static ModelRollout cli(String topic, String... args) {
        List<String> all = new ArrayList<>(List.of(MODEL));
        all.addAll(List.of(args));
        all.addAll(
                List.of(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        topic,
                        "--model-repository",
                        ReferenceModels.root().toString()));
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        return new RolloutCommand(client, Clock.systemUTC())
                .execute(
                        RolloutOptions.parse(all),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
