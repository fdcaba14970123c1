package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.rollout.RollbackPolicy;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class RolloutSettingsTest {

    @Test
    void defaultsWatchCandidatesOnTheModelControlTopic() {
        RolloutSettings rollout = ScoringSettings.from(ScoringSettingsTest.minimal()).rollout();

        assertThat(rollout).isEqualTo(RolloutSettings.defaults());
        assertThat(rollout.controlTopic()).isEqualTo("model-control");
        assertThat(rollout.rollback())
                .isEqualTo(
                        new RollbackPolicy(
                                true,
                                Duration.ofMinutes(1),
                                200,
                                0.05,
                                Duration.ofMillis(500),
                                0.25));
    }

    @Test
    void readsTheRolloutByItsKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.kafka.topic.control", "rollouts");
        conf.setString("scorestream.rollout.auto-rollback", "false");
        conf.setString("scorestream.rollout.window", "5 min");
        conf.setString("scorestream.rollout.min-samples", "1000");
        conf.setString("scorestream.rollout.max-error-rate", "0.01");
        conf.setString("scorestream.rollout.max-p99-latency", "80 ms");
        conf.setString("scorestream.rollout.max-psi", "0.1");

        RolloutSettings rollout = ScoringSettings.from(conf).rollout();

        assertThat(rollout.controlTopic()).isEqualTo("rollouts");
        assertThat(rollout.rollback())
                .isEqualTo(
                        new RollbackPolicy(
                                false,
                                Duration.ofMinutes(5),
                                1000,
                                0.01,
                                Duration.ofMillis(80),
                                0.1));
    }

    @Test
    void reportsEveryBadValueByItsKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.kafka.topic.control", "predictions");
        conf.setString("scorestream.rollout.auto-rollback", "maybe");
        conf.setString("scorestream.rollout.window", "0 s");
        conf.setString("scorestream.rollout.min-samples", "0");
        conf.setString("scorestream.rollout.max-error-rate", "1.5");
        conf.setString("scorestream.rollout.max-p99-latency", "0 ms");
        conf.setString("scorestream.rollout.max-psi", "0");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOfSatisfying(
                        InvalidSettingsException.class,
                        e ->
                                assertThat(e.problems())
                                        .containsExactly(
                                                "scorestream.kafka.topic.control (predictions) must"
                                                        + " differ from scorestream.kafka.topic.events,"
                                                        + " scorestream.kafka.topic.predictions and"
                                                        + " scorestream.kafka.topic.dead-letters",
                                                "scorestream.rollout.auto-rollback: Could not parse"
                                                        + " value 'maybe' for key"
                                                        + " 'scorestream.rollout.auto-rollback'.",
                                                "scorestream.rollout.window must be positive, got PT0S",
                                                "scorestream.rollout.min-samples must be at least 1,"
                                                        + " got 0",
                                                "scorestream.rollout.max-error-rate must be between 0"
                                                        + " and 1, got 1.5",
                                                "scorestream.rollout.max-p99-latency must be positive,"
                                                        + " got PT0S",
                                                "scorestream.rollout.max-psi must be a positive number,"
                                                        + " got 0.0"));
    }
}
