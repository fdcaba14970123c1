package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.ScoringPipeline;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** How much history a session keeps: what the served models read, unless a setting says. */
class SessionHistorySettingsTest {

    @Test
    void aJobOfPerEventModelsKeepsNoHistory() {
        ScoringSettings settings = ScoringSettings.from(ScoringSettingsTest.minimal());

        assertThat(settings.session().historyLength()).isNull();
        assertThat(historyKept(settings)).isZero();
    }

    @Test
    void aJobWithASequenceModelKeepsItsSequence() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.cascade.from", "fraud-mlp");
        conf.setString("scorestream.cascade.to", "fraud-gru");

        assertThat(historyKept(ScoringSettings.from(conf))).isEqualTo(16);
    }

    @Test
    void aConfiguredLengthWinsSoASequenceModelCanBeRolledOutLater() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.session.history-length", "24");

        assertThat(historyKept(ScoringSettings.from(conf))).isEqualTo(24);
    }

    @Test
    void aNegativeLengthIsRefusedNamingTheKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.session.history-length", "-1");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.session.history-length must be at least 0");
    }

    private static int historyKept(ScoringSettings settings) {
        return settings.session().historyLengthFor(new ScoringPipeline(settings).plan());
    }
}
