package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.assertAsUninterrupted;
import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;

import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker goes away mid-run, with events waiting to be scored, and comes back on the same
 * address and data: the job rides it out (its clients retry, or it restarts from its last
 * checkpoint) and the committed output is still exactly one prediction per event.
 */
class BrokerRestartITCase {

    private static final Duration DOWN_FOR = Duration.ofSeconds(3);

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(TestJobs.PARALLELISM)
                            .build());

    private static RestartableKafka kafka;
    private static KafkaClients clients;

    @TempDir Path checkpoints;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = RestartableKafka.start();
        clients = KafkaClients.plain(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void theJobRecoversFromABrokerRestartWithExactlyOnceOutput() throws Exception {
        Configuration conf =
                JobRuns.configuration("broker-restart", kafka.bootstrapServers(), checkpoints);
        // Keep restarting while the broker is away, instead of the tests' usual three attempts.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        List<SyntheticSession> sessions = TestJobs.sessions(51, 60);
        List<InferenceEvent> heads = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> tails = JobRuns.tails(sessions, 0.5);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);

        clients.publish(events, keyedBySession(heads));
        JobClient job = JobRuns.start(conf, TestJobs.PARALLELISM, "broker-restart");
        awaitPredictions(clients, conf, heads.size());

        // The tails are on the broker, being read and scored, when it goes down.
        clients.publish(events, keyedBySession(tails));
        kafka.stopBroker();
        Thread.sleep(DOWN_FOR.toMillis()); // an outage has a length; nothing to wait for
        kafka.startBroker();

        List<Prediction> predictions = awaitPredictions(clients, conf, heads.size() + tails.size());
        job.cancel().get();

        assertOnePredictionPerEvent(predictions, TestJobs.events(sessions));
        assertAsUninterrupted(predictions, JobRuns.Uninterrupted.of(conf, sessions));
    }
}
