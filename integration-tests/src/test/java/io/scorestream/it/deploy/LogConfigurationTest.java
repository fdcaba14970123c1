package io.scorestream.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.properties.PropertiesConfiguration;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The logging configurations we ship (the CLI's, the cluster processes', the containers') drop the
 * two metric name collisions Flink and its Kafka connector log for their own double registrations
 * (every checkpoint, per committer subtask: {@code pendingCommittables}), and only those.
 */
class LogConfigurationTest {

    /** The logger of Flink's {@code AbstractMetricGroup}. */
    private static final String METRIC_GROUP_LOGGER = "org.apache.flink.metrics.MetricGroup";

    @TempDir static Path logs;

    @BeforeAll
    static void logFilesInATemporaryFolder() {
        // The file appenders create their files when the configuration starts.
        System.setProperty("scorestream.log.file", logs.resolve("cli.log").toString());
        System.setProperty("log.file", logs.resolve("cluster.log").toString());
    }

    @AfterAll
    static void clearLogFiles() {
        System.clearProperty("scorestream.log.file");
        System.clearProperty("log.file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"log4j-cli.properties", "log4j.properties", "log4j-console.properties"})
    void dropsFlinksKnownDoubleRegistrationsOnly(String file) {
        PropertiesConfiguration config = load(DeploymentFiles.flinkConf().resolve(file));
        try {
            LoggerConfig logger = config.getLoggerConfig(METRIC_GROUP_LOGGER);
            assertThat(
                            logger.isFiltered(
                                    collision(
                                            "pendingCommittables", "Kafka predictions: Committer")))
                    .as("the committer's pendingCommittables, every checkpoint")
                    .isTrue();
            assertThat(
                            logger.isFiltered(
                                    collision("currentSendTime", "Kafka dead letters: Writer")))
                    .as("the exactly-once writer's currentSendTime, at start-up")
                    .isTrue();
            assertThat(logger.isFiltered(collision("numRecordsIn", "Session featurizer")))
                    .as("any other collision")
                    .isFalse();
            assertThat(
                            logger.isFiltered(
                                    warning(
                                            "Name collision: Adding a metric with the same"
                                                    + " name as a metric subgroup: 'pendingCommittables'.")))
                    .as("another kind of collision on the same name")
                    .isFalse();
            assertThat(logger.getLevel().isMoreSpecificThan(Level.WARN)).isFalse();
        } finally {
            config.stop();
        }
    }

    private static PropertiesConfiguration load(Path file) {
        LoggerContext context = new LoggerContext("log-configuration-test-" + file.getFileName());
        PropertiesConfiguration config =
                new PropertiesConfigurationFactory()
                        .getConfiguration(context, ConfigurationSource.fromUri(file.toUri()));
        config.initialize();
        return config;
    }

    /** What Flink's {@code AbstractMetricGroup#addMetric} logs for a second metric of a name. */
    private static LogEvent collision(String metric, String operator) {
        return warning(
                "Name collision: Group already contains a Metric with the name '"
                        + metric
                        + "'. Metric will not be reported.[, taskmanager, 4f1c, ScoreStream, "
                        + operator
                        + ", 0]");
    }

    private static LogEvent warning(String text) {
        return Log4jLogEvent.newBuilder()
                .setLoggerName(METRIC_GROUP_LOGGER)
                .setLevel(Level.WARN)
                .setMessage(new SimpleMessage(text))
                .build();
    }
}
