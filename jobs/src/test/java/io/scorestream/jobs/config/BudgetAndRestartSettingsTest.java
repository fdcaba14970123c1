package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.budget.BudgetTime;
import io.scorestream.operators.budget.OverBudgetAction;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;

class BudgetAndRestartSettingsTest {

    @Test
    void budgetsAreOffUnlessSet() {
        ScoringSettings settings = ScoringSettings.from(ScoringSettingsTest.minimal());

        assertThat(settings.budget().enabled()).isFalse();
    }

    @Test
    void readsTheBudgetByItsKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.budget.max-inferences", "100");
        conf.setString("scorestream.budget.window", "10 min");
        conf.setString("scorestream.budget.time", "EVENT");
        conf.setString("scorestream.budget.over-budget", "DEAD_LETTER");
        conf.setString("scorestream.inference.fallback-score", "0.5");

        var budget = ScoringSettings.from(conf).budget();

        assertThat(budget.enabled()).isTrue();
        assertThat(budget.maxInferences()).isEqualTo(100);
        assertThat(budget.window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(budget.time()).isEqualTo(BudgetTime.EVENT);
        assertThat(budget.action()).isEqualTo(OverBudgetAction.DEAD_LETTER);
        assertThat(budget.fallbackScore()).isEqualTo(0.5f);
    }

    @Test
    void refusesANegativeBudgetOrAnEmptyWindow() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.BUDGET_MAX_INFERENCES, -1);
        conf.set(ScoringOptions.BUDGET_WINDOW, Duration.ZERO);

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.budget.max-inferences must be at least 0")
                .hasMessageContaining("scorestream.budget.window must be positive");
    }

    @Test
    void aTransactionMustOutliveACheckpointIntervalPlusTheRestartDelay() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        conf.set(ScoringOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(90));

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.kafka.transaction-timeout (PT2M) must be longer than"
                                + " execution.checkpointing.interval (PT1M) +"
                                + " restart-strategy.fixed-delay.delay (PT1M30S) = PT2M30S");

        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(30));
        assertThat(ScoringSettings.from(conf).kafka().transactionTimeout())
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void flinksDefaultExponentialDelayCountsItsLongestBackoffWithJitter() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMinutes(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .hasMessageContaining("restart-strategy.exponential-delay.max-backoff")
                .hasMessageContaining("(PT1M6S)");

        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        assertThat(ScoringSettings.from(conf).kafka().transactionTimeout())
                .as("a job that never restarts only needs the interval")
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void atLeastOnceHasNoTransactionsToKeepOpen() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.DELIVERY_GUARANTEE, DeliveryMode.AT_LEAST_ONCE);
        conf.set(ScoringOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(20));

        assertThat(ScoringSettings.from(conf).kafka().deliveryGuarantee())
                .isEqualTo(DeliveryMode.AT_LEAST_ONCE);
    }
}
