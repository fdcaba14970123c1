package io.scorestream.it.input;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringJob;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.config.StartingOffsets;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * Starts the scoring job the way {@code ScoringJobMain} does (settings from one Configuration,
 * {@link FlinkSetup}, {@link ScoringJob} with the production Kafka source and sinks), on whatever
 * MiniCluster the test registered.
 */
public final class TestJobs {

    public static final int PARALLELISM = 2;

    /** One TaskManager with a slot per subtask: the MiniCluster every job test runs on. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(PARALLELISM)
                        .build());
    }

    private TestJobs() {}

    /** Settings for one test: its own topics, group and transactional ids, fast checkpoints. */
    public static Configuration configuration(String testId, String bootstrap, Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(ScoringOptions.EVENTS_TOPIC, "events-" + testId);
        conf.set(ScoringOptions.PREDICTIONS_TOPIC, "predictions-" + testId);
        conf.set(ScoringOptions.DEAD_LETTER_TOPIC, "dlq-" + testId);
        conf.set(ScoringOptions.CONTROL_TOPIC, "control-" + testId);
        conf.set(ScoringOptions.GROUP_ID, "group-" + testId);
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "tx-" + testId);
        conf.set(ScoringOptions.STARTING_OFFSETS, StartingOffsets.COMMITTED_OR_EARLIEST);
        conf.set(ScoringOptions.MODEL_REPOSITORY, ReferenceModels.root().toString());
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 16);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /** The job's four topics: events, predictions, dead letters and control. */
    public static List<String> topics(Configuration conf) {
        return List.of(
                conf.get(ScoringOptions.EVENTS_TOPIC),
                conf.get(ScoringOptions.PREDICTIONS_TOPIC),
                conf.get(ScoringOptions.DEAD_LETTER_TOPIC),
                conf.get(ScoringOptions.CONTROL_TOPIC));
    }

    /** Builds and submits the job; returns once it is submitted. */
    public static JobClient start(Configuration conf, String name) throws Exception {
        ScoringSettings settings = ScoringSettings.from(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        env.setParallelism(PARALLELISM);
        ScoringJob.onKafka(settings).build(env);
        return env.executeAsync(name);
    }

    public static List<SyntheticSession> sessions(long seed, int count) {
        SyntheticSessions generator = new SyntheticSessions(seed);
        List<SyntheticSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(generator.next(1_767_225_600_000L + i * 1_000L));
        }
        return sessions;
    }

    public static List<InferenceEvent> events(List<SyntheticSession> sessions) {
        return sessions.stream().flatMap(s -> s.events().stream()).toList();
    }
}
