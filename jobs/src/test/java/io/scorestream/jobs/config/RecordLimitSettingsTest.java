package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The record size limits: dead letters, the sinks' max.request.size, the events' largest value. */
class RecordLimitSettingsTest {

    @Test
    void defaultsFitABrokerAtItsDefaultLimits() {
        KafkaSettings kafka = ScoringSettings.from(ScoringSettingsTest.minimal()).kafka();

        // A broker's default max.message.bytes is 1048588, its producers' max.request.size 1 MiB.
        assertThat(kafka.deadLetterMaxBytes() + KafkaSettings.RECORD_OVERHEAD)
                .isLessThanOrEqualTo(1_048_576);
        assertThat(kafka.producerMaxRequestSize()).isEqualTo(1_048_576);
        assertThat(
                        ScoringSettings.from(ScoringSettingsTest.minimal())
                                .input()
                                .rules()
                                .maxRecordBytes())
                .isLessThan(1_048_588 - KafkaSettings.RECORD_OVERHEAD);
    }

    @Test
    void largerDeadLettersRaiseTheSinksRequestSize() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString(ScoringOptions.DEAD_LETTER_MAX_SIZE.key(), "4 mb");

        KafkaSettings kafka = ScoringSettings.from(conf).kafka();

        assertThat(kafka.deadLetterMaxBytes()).isEqualTo(4 << 20);
        assertThat(kafka.producerMaxRequestSize())
                .isEqualTo((4 << 20) + KafkaSettings.RECORD_OVERHEAD);
    }

    @Test
    void anExplicitRequestSizeTooSmallForTheLargestDeadLetterIsRefusedNamingBoth() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString(ScoringOptions.DEAD_LETTER_MAX_SIZE.key(), "1 mb");
        conf.setString(ScoringOptions.KAFKA_PROPERTIES.key(), "max.request.size:1048576");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.dead-letters.max-size (1048576 bytes)")
                .hasMessageContaining("max.request.size (1048576) in scorestream.kafka.properties");
    }

    @Test
    void anExplicitRequestSizeIsWhatTheSinksUse() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString(ScoringOptions.KAFKA_PROPERTIES.key(), "max.request.size:2097152");

        assertThat(ScoringSettings.from(conf).kafka().producerMaxRequestSize()).isEqualTo(2 << 20);
    }

    @Test
    void aDeadLetterLimitTooSmallForItsFieldsIsRefused() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString(ScoringOptions.DEAD_LETTER_MAX_SIZE.key(), "1 kb");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.dead-letters.max-size must be at least 16384");
    }

    @Test
    void aRequestSizeThatIsNotANumberIsRefused() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString(ScoringOptions.KAFKA_PROPERTIES.key(), "max.request.size:lots");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.kafka.properties: max.request.size must be a whole number");
    }
}
