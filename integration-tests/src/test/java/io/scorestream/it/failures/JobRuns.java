package io.scorestream.it.failures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.ScoringPipeline.Uids;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.kafka.ControlTopic;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Starting, stopping and checking scoring jobs for the failure and budget tests: the production
 * pipeline, sinks and uids, with a chosen parallelism, inference step and extra branches.
 */
public final class JobRuns {

    public static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

    private JobRuns() {}

    /** {@link TestJobs#configuration} with the test's three topics created. */
    public static Configuration configuration(String testId, String bootstrap, Path checkpoints)
            throws Exception {
        Configuration conf = TestJobs.configuration(testId, bootstrap, checkpoints);
        EmbeddedKafka.createTopics(bootstrap, 3, TestJobs.topics(conf));
        return conf;
    }

    public static String topic(Configuration conf, ConfigOption<String> option) {
        return conf.get(option);
    }

    /** Submits the job as {@code ScoringJob} builds it, at {@code parallelism}. */
    public static JobClient start(Configuration conf, int parallelism, String name)
            throws Exception {
        return start(conf, parallelism, name, ScoringPipeline.microBatchedAsync(), p -> {});
    }

    /**
     * Submits the job with {@code inference} as its inference step and {@code tap} given the
     * prediction stream (to add a branch beside the Kafka sink).
     */
    public static JobClient start(
            Configuration conf,
            int parallelism,
            String name,
            ScoringPipeline.InferenceStage inference,
            Consumer<DataStream<Prediction>> tap)
            throws Exception {
        ScoringSettings settings = ScoringSettings.from(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        env.setParallelism(parallelism);
        DataStream<Prediction> predictions;
        String controlTopic = settings.rollout().controlTopic();
        ScoringPipeline.Outputs outputs =
                new ScoringPipeline(settings)
                        .score(
                                env.fromSource(
                                                KafkaConnectors.eventSource(settings.kafka()),
                                                WatermarkStrategy.noWatermarks(),
                                                "Kafka events")
                                        .uid(Uids.SOURCE),
                                env.fromSource(
                                                ControlTopic.source(settings.kafka(), controlTopic),
                                                WatermarkStrategy.noWatermarks(),
                                                "Kafka control")
                                        .setParallelism(1)
                                        .uid(Uids.CONTROL_SOURCE),
                                inference);
        outputs.rolloutDecisions()
                .sinkTo(ControlTopic.sink(settings.kafka(), controlTopic))
                .name("Kafka control (rollbacks)")
                .uid(Uids.CONTROL_SINK);
        predictions = outputs.predictions();
        predictions
                .sinkTo(KafkaConnectors.predictionSink(settings.kafka()))
                .name("Kafka predictions")
                .uid(Uids.PREDICTION_SINK);
        outputs.deadLetters()
                .sinkTo(KafkaConnectors.deadLetterSink(settings.kafka()))
                .name("Kafka dead letters")
                .uid(Uids.DEAD_LETTER_SINK);
        tap.accept(predictions);
        return env.executeAsync(name);
    }

    /** The first {@code share} of every session's events (at least one), in order. */
    public static List<InferenceEvent> heads(List<SyntheticSession> sessions, double share) {
        List<InferenceEvent> heads = new ArrayList<>();
        for (SyntheticSession session : sessions) {
            heads.addAll(session.events().subList(0, headLength(session, share)));
        }
        return heads;
    }

    /** The rest of every session's events after {@link #heads}. */
    public static List<InferenceEvent> tails(List<SyntheticSession> sessions, double share) {
        List<InferenceEvent> tails = new ArrayList<>();
        for (SyntheticSession session : sessions) {
            tails.addAll(
                    session.events().subList(headLength(session, share), session.events().size()));
        }
        return tails;
    }

    private static int headLength(SyntheticSession session, double share) {
        return Math.max(1, (int) (session.events().size() * share));
    }

    /** Reads committed predictions until {@code expected} distinct events have one. */
    public static List<Prediction> awaitPredictions(
            KafkaClients clients, Configuration conf, int expected) {
        return clients.readCommitted(
                topic(conf, ScoringOptions.PREDICTIONS_TOPIC),
                Prediction.class,
                read ->
                        new HashSet<>(read.stream().map(Prediction::getEventId).toList()).size()
                                >= expected,
                READ_TIMEOUT);
    }

    /** Exactly one prediction per event, and none for anything else. */
    public static void assertOnePredictionPerEvent(
            List<Prediction> predictions, List<InferenceEvent> events) {
        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
    }

    /** Positions in the session and model scores equal those of an uninterrupted run. */
    public static void assertAsUninterrupted(List<Prediction> predictions, Uninterrupted expected) {
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s in its session", id)
                    .isEqualTo(expected.positionByEvent().get(id));
            assertThat(prediction.getFallback()).as("fallback for %s", id).isFalse();
            assertThat(prediction.getScore())
                    .as("score of %s", id)
                    .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
        }
    }

    /** The newest checkpoint Flink retained for {@code job} under {@code checkpoints}. */
    public static Path latestCheckpoint(Path checkpoints, JobID job) throws IOException {
        Pattern chk = Pattern.compile("chk-(\\d+)");
        try (Stream<Path> dirs = Files.list(checkpoints.resolve(job.toHexString()))) {
            return dirs.filter(d -> chk.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.exists(d.resolve("_metadata")))
                    .max(
                            Comparator.comparingLong(
                                    d -> {
                                        Matcher m = chk.matcher(d.getFileName().toString());
                                        m.matches();
                                        return Long.parseLong(m.group(1));
                                    }))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint of " + job));
        }
    }

    /**
     * Per partition of {@code topic}: the last stable offset (what {@code read_committed} readers
     * may read up to) and the high watermark. They differ while a transaction is open.
     */
    public static Map<Integer, Offsets> stableAndEndOffsets(String bootstrap, String topic)
            throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(properties)) {
            int partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()
                            .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var stable =
                    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .all()
                            .get();
            var end =
                    admin.listOffsets(
                                    latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                            .all()
                            .get();
            Map<Integer, Offsets> offsets = new HashMap<>();
            for (TopicPartition partition : latest.keySet()) {
                offsets.put(
                        partition.partition(),
                        new Offsets(stable.get(partition).offset(), end.get(partition).offset()));
            }
            return offsets;
        }
    }

    /** True when some partition has records no {@code read_committed} reader may see yet. */
    public static boolean hasOpenTransaction(Map<Integer, Offsets> offsets) {
        return offsets.values().stream().anyMatch(o -> o.stable() < o.end());
    }

    /** A partition's last stable offset and high watermark. */
    public record Offsets(long stable, long end) {}

    /**
     * What an uninterrupted run must produce: each event's position in its session and the bare
     * model's score for the features of an in-order replay of the session, without Flink.
     */
    public record Uninterrupted(
            Map<String, Float> scoreByEvent, Map<String, Integer> positionByEvent) {

        public static Uninterrupted of(Configuration conf, List<SyntheticSession> sessions) {
            ModelManifest manifest = new ScoringPipeline(ScoringSettings.from(conf)).manifest();
            ExpectedScores expected =
                    ExpectedScores.of(
                            manifest,
                            sessions,
                            conf.getOptional(ScoringOptions.HISTORY_LENGTH)
                                    .orElse(ExpectedScores.HISTORY));
            return new Uninterrupted(expected.scoreByEvent(), expected.positionByEvent());
        }
    }
}
