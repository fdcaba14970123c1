package io.scorestream.it.limits;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.KafkaPreflight;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up reads the topics' {@code max.message.bytes} from the broker and refuses record size
 * settings that contradict them, naming the setting and the topic.
 */
class TopicLimitsPreflightITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void theDefaultsFitABrokerAtItsDefaults(TestInfo test) throws Exception {
        Configuration conf = configuration(test, Map.of());

        assertThatCode(() -> KafkaPreflight.check(ScoringSettings.from(conf)))
                .doesNotThrowAnyException();
    }

    @Test
    void aDeadLetterLimitAboveTheDeadLetterTopicsIsRefused(TestInfo test) throws Exception {
        Configuration conf = configuration(test, Map.of("max.message.bytes", "500000"));

        assertThatThrownBy(() -> KafkaPreflight.check(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.dead-letters.max-size (1024000 bytes)")
                .hasMessageContaining(
                        "max.message.bytes (500000) of topic "
                                + conf.get(ScoringOptions.DEAD_LETTER_TOPIC));

        conf.setString(ScoringOptions.DEAD_LETTER_MAX_SIZE.key(), "400 kb");
        assertThatCode(() -> KafkaPreflight.check(ScoringSettings.from(conf)))
                .doesNotThrowAnyException();
    }

    @Test
    void aMaxRecordSizeTheEventsTopicNeverReachesIsRefused(TestInfo test) throws Exception {
        Configuration conf = configuration(test, Map.of());
        conf.setString(ScoringOptions.MAX_RECORD_SIZE.key(), "1 mb");

        assertThatThrownBy(() -> KafkaPreflight.check(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.input.max-record-size (1048576 bytes) is at or above what"
                                + " topic "
                                + conf.get(ScoringOptions.EVENTS_TOPIC)
                                + " accepts (max.message.bytes 1048588")
                .hasMessageContaining("OVERSIZED_RECORD could never fire");
    }

    /** The test's topics, the dead-letter topic with {@code deadLetterTopicConfig}. */
    private Configuration configuration(TestInfo test, Map<String, String> deadLetterTopicConfig)
            throws Exception {
        String id = test.getTestMethod().orElseThrow().getName();
        Configuration conf = TestJobs.configuration(id, KAFKA.bootstrapServers(), checkpoints);
        String deadLetters = conf.get(ScoringOptions.DEAD_LETTER_TOPIC);
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(deadLetters, 1, (short) 1)
                                            .configs(deadLetterTopicConfig)))
                    .all()
                    .get();
        }
        KAFKA.createTopics(
                1, TestJobs.topics(conf).stream().filter(t -> !t.equals(deadLetters)).toList());
        return conf;
    }
}
