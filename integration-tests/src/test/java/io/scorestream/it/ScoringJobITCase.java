package io.scorestream.it;

import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.config.StartingOffsets;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scoring job end to end: a Flink MiniCluster, a real Kafka broker, RocksDB, exactly-once
 * sinks, the reference models. Outputs are read with {@code read_committed} and compared exactly.
 */
class ScoringJobITCase {

    private static final int PARALLELISM = 2;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;
    private String testId;

    @BeforeEach
    void name(TestInfo info) {
        testId =
                info.getTestMethod().orElseThrow().getName()
                        + "-"
                        + info.getDisplayName().replaceAll("[^A-Za-z0-9]", "");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fraud-mlp", "intent-gru"})
    void scoresEveryEventExactlyOnceWithTheBareModelsScore(String model) throws Exception {
        List<SyntheticSession> sessions = sessions(11, 60);
        ScoringSettings settings = settings(model);
        KAFKA.clients().publish(settings.kafka().eventsTopic(), keyedBySession(events(sessions)));

        RunningJob job = start(settings, UnaryOperator.identity());
        List<Prediction> predictions = awaitPredictions(settings, count(sessions));
        job.cancel();

        assertExactlyOnceWithBareModelScores(predictions, sessions, job.scoring());
    }

    @Test
    void aFailureAfterACheckpointLosesAndDuplicatesNothing() throws Exception {
        List<SyntheticSession> sessions = sessions(12, 80);
        List<SyntheticSession> firstHalf = sessions.subList(0, 40);
        List<SyntheticSession> secondHalf = sessions.subList(40, 80);
        ScoringSettings settings = settings("fraud-mlp");
        FailOnceWhenArmed.reset();

        KAFKA.clients().publish(settings.kafka().eventsTopic(), keyedBySession(events(firstHalf)));
        RunningJob job =
                start(
                        settings,
                        records -> records.map(new FailOnceWhenArmed()).uid("fault-injector"));
        // Committed predictions of the first half mean a checkpoint has completed.
        awaitPredictions(settings, count(firstHalf));
        FailOnceWhenArmed.ARMED.set(true);
        KAFKA.clients().publish(settings.kafka().eventsTopic(), keyedBySession(events(secondHalf)));

        List<Prediction> predictions = awaitPredictions(settings, count(sessions));
        job.cancel();

        assertThat(FailOnceWhenArmed.FAILURES).as("the injected failure happened").hasValue(1);
        assertExactlyOnceWithBareModelScores(predictions, sessions, job.scoring());
    }

    @Test
    void undecodableAndSessionlessRecordsAreDeadLetteredAndTheRestScored() throws Exception {
        List<SyntheticSession> sessions = sessions(13, 20);
        ScoringSettings settings = settings("fraud-mlp");
        List<KeyValue> records = new ArrayList<>(keyedBySession(events(sessions)));
        byte[] garbage = "this is not avro".getBytes();
        InferenceEvent sessionless = sessions.get(0).events().get(0);
        InferenceEvent withoutSession =
                InferenceEvent.newBuilder(sessionless)
                        .setEventId("no-session")
                        .setSessionId(null)
                        .build();
        byte[] sessionlessBytes = AvroCodec.of(InferenceEvent.class).encode(withoutSession);
        records.add(5, new KeyValue("k1".getBytes(), garbage));
        records.add(17, new KeyValue(null, sessionlessBytes));
        records.add(new KeyValue("k2".getBytes(), new byte[0]));
        KAFKA.clients().publish(settings.kafka().eventsTopic(), records);

        RunningJob job = start(settings, UnaryOperator.identity());
        List<Prediction> predictions = awaitPredictions(settings, count(sessions));
        List<DeadLetter> deadLetters =
                KAFKA.clients()
                        .readCommitted(
                                settings.kafka().deadLetterTopic(),
                                DeadLetter.class,
                                read -> read.size() >= 3,
                                READ_TIMEOUT);
        job.cancel();

        assertExactlyOnceWithBareModelScores(predictions, sessions, job.scoring());
        assertThat(deadLetters).hasSize(3);
        Map<String, DeadLetter> byReason =
                deadLetters.stream().collect(Collectors.toMap(DeadLetter::getReason, d -> d));
        assertThat(byReason).containsOnlyKeys("UNDECODABLE", "MISSING_SESSION_ID", "EMPTY_VALUE");
        assertThat(bytes(byReason.get("UNDECODABLE").getOriginalValue())).isEqualTo(garbage);
        assertThat(bytes(byReason.get("UNDECODABLE").getOriginalKey())).isEqualTo("k1".getBytes());
        assertThat(bytes(byReason.get("MISSING_SESSION_ID").getOriginalValue()))
                .isEqualTo(sessionlessBytes);
        assertThat(byReason.get("MISSING_SESSION_ID").getEventId()).isEqualTo("no-session");
        for (DeadLetter letter : deadLetters) {
            assertThat(letter.getSourceTopic()).isEqualTo(settings.kafka().eventsTopic());
            assertThat(letter.getSourcePartition()).isNotNull();
            assertThat(letter.getSourceOffset()).isNotNull().isNotNegative();
            assertThat(letter.getMessage()).isNotBlank();
        }
    }

    // ---------------------------------------------------------------------------------------

    private void assertExactlyOnceWithBareModelScores(
            List<Prediction> predictions, List<SyntheticSession> sessions, ScoringPipeline job) {
        assertThat(predictions).hasSize(count(sessions));
        assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(
                        events(sessions).stream().map(InferenceEvent::getEventId).toList());

        ExpectedScores expected =
                ExpectedScores.of(job.manifest(), sessions, ExpectedScores.HISTORY);
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            assertThat(prediction.getModelName()).isEqualTo(job.manifest().name());
            assertThat(prediction.getModelVersion()).isEqualTo(job.manifest().version());
            assertThat(prediction.getFallback()).isFalse();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s in its session", id)
                    .isEqualTo(expected.positionByEvent().get(id));
            assertThat(prediction.getScore())
                    .as("score of %s", id)
                    .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
            assertThat(prediction.getLatency().getBatchSize()).isPositive();
        }
    }

    private List<Prediction> awaitPredictions(ScoringSettings settings, int expected) {
        return KAFKA.clients()
                .readCommitted(
                        settings.kafka().predictionsTopic(),
                        Prediction.class,
                        read ->
                                new HashSet<>(read.stream().map(Prediction::getEventId).toList())
                                                .size()
                                        >= expected,
                        READ_TIMEOUT);
    }

    private ScoringSettings settings(String model) throws Exception {
        String events = "events-" + testId;
        String predictions = "predictions-" + testId;
        String deadLetters = "dlq-" + testId;
        String control = "control-" + testId;
        KAFKA.createTopics(3, List.of(events, predictions, deadLetters, control));
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        conf.set(ScoringOptions.EVENTS_TOPIC, events);
        conf.set(ScoringOptions.PREDICTIONS_TOPIC, predictions);
        conf.set(ScoringOptions.DEAD_LETTER_TOPIC, deadLetters);
        conf.set(ScoringOptions.CONTROL_TOPIC, control);
        conf.set(ScoringOptions.GROUP_ID, "group-" + testId);
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "tx-" + testId);
        conf.set(ScoringOptions.STARTING_OFFSETS, StartingOffsets.EARLIEST);
        conf.set(ScoringOptions.MODEL_REPOSITORY, ReferenceModels.root().toString());
        conf.set(ScoringOptions.MODEL_NAME, model);
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 16);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return ScoringSettings.from(conf);
    }

    /** A started job and the pipeline it runs. */
    private record RunningJob(JobClient client, ScoringPipeline scoring) {
        void cancel() throws Exception {
            client.cancel().get();
        }
    }

    private RunningJob start(
            ScoringSettings settings, UnaryOperator<DataStream<RawRecord>> beforeScoring)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpoints().interval());
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpoints().directory());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        env.setParallelism(PARALLELISM);
        ScoringPipeline pipeline = new ScoringPipeline(settings);
        DataStream<RawRecord> records =
                env.fromSource(
                                KafkaConnectors.eventSource(settings.kafka()),
                                WatermarkStrategy.noWatermarks(),
                                "Kafka events")
                        .uid(ScoringPipeline.Uids.SOURCE);
        ScoringPipeline.Outputs outputs =
                pipeline.score(beforeScoring.apply(records), ScoringPipeline.microBatchedAsync());
        outputs.predictions().sinkTo(KafkaConnectors.predictionSink(settings.kafka()));
        outputs.deadLetters().sinkTo(KafkaConnectors.deadLetterSink(settings.kafka()));
        return new RunningJob(env.executeAsync("scoring " + testId), pipeline);
    }

    private static List<SyntheticSession> sessions(long seed, int count) {
        SyntheticSessions generator = new SyntheticSessions(seed);
        List<SyntheticSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(generator.next(1_767_225_600_000L + i * 1_000L));
        }
        return sessions;
    }

    private static List<InferenceEvent> events(List<SyntheticSession> sessions) {
        return sessions.stream().flatMap(s -> s.events().stream()).toList();
    }

    private static int count(List<SyntheticSession> sessions) {
        return events(sessions).size();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Throws once, on the first record after it is armed: a task failure mid-stream. */
    static final class FailOnceWhenArmed implements MapFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicInteger FAILURES = new AtomicInteger();

        static void reset() {
            ARMED.set(false);
            FAILURES.set(0);
        }

        @Override
        public RawRecord map(RawRecord record) {
            if (ARMED.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure");
            }
            return record;
        }
    }
}
