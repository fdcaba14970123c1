package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.operators.inference.FailurePolicy;
import io.scorestream.operators.inference.InferenceSettings;
import io.scorestream.operators.routing.ServingPlan;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Routing, cascade, fallback, cache and breaker settings, and the serving plan built from them. */
class ServingSettingsTest {

    @Test
    void byDefaultOneModelServesEverythingWithoutCacheAndWithABreaker() {
        ScoringSettings settings = ScoringSettings.from(ScoringSettingsTest.minimal());
        ServingPlan plan = new ScoringPipeline(settings).plan();

        assertThat(plan.targets()).containsOnlyKeys("fraud-mlp");
        assertThat(plan.modelFor("checkout")).isEqualTo("fraud-mlp");
        assertThat(plan.cascade()).isNull();
        InferenceSettings inference = settings.inference();
        assertThat(inference.cache().caches("fraud-mlp")).isFalse();
        assertThat(inference.breaker().failureThreshold()).isEqualTo(10);
        assertThat(inference.modelTimeout()).isZero();
        assertThat(inference.failurePolicy()).isEqualTo(FailurePolicy.DEAD_LETTER);
    }

    @Test
    void readsRoutesVersionsCascadeFallbacksCacheAndBreaker() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.routing.event-types", "checkout:fraud-gru");
        conf.setString("scorestream.routing.versions", "fraud-gru:1");
        conf.setString("scorestream.cascade.from", "fraud-mlp");
        conf.setString("scorestream.cascade.to", "fraud-gru");
        conf.setString("scorestream.cascade.band", "0.2..0.8");
        conf.setString("scorestream.fallback.models", "fraud-gru:fraud-mlp");
        conf.setString("scorestream.cache.max-entries", "500");
        conf.setString("scorestream.cache.ttl", "30 s");
        conf.setString("scorestream.cache.disabled-models", "fraud-gru");
        conf.setString("scorestream.breaker.failure-threshold", "4");
        conf.setString("scorestream.breaker.cool-down", "1 min");
        conf.setString("scorestream.inference.model-timeout", "200 ms");
        conf.setString("scorestream.inference.failure-policy", "FALLBACK");

        ScoringSettings settings = ScoringSettings.from(conf);
        ServingPlan plan = new ScoringPipeline(settings).plan();

        assertThat(plan.modelFor("checkout")).isEqualTo("fraud-gru");
        assertThat(plan.modelFor("click")).isEqualTo("fraud-mlp");
        assertThat(plan.target("fraud-gru").version()).isEqualTo("1");
        assertThat(plan.target("fraud-mlp").version()).isEqualTo("2");
        assertThat(plan.cascadeFrom("fraud-mlp").orElseThrow().escalates(0.8f)).isTrue();
        assertThat(plan.cascadeFrom("fraud-mlp").orElseThrow().escalates(0.81f)).isFalse();
        assertThat(plan.fallbackFor("fraud-gru")).contains("fraud-mlp");
        assertThat(plan.partnersOf("fraud-gru")).containsExactly("fraud-mlp");
        InferenceSettings inference = settings.inference();
        assertThat(inference.cache().maxEntries()).isEqualTo(500);
        assertThat(inference.cache().ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(inference.cache().caches("fraud-gru")).isFalse();
        assertThat(inference.cache().caches("fraud-mlp")).isTrue();
        assertThat(inference.breaker().failureThreshold()).isEqualTo(4);
        assertThat(inference.breaker().coolDown()).isEqualTo(Duration.ofMinutes(1));
        assertThat(inference.modelTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(inference.failurePolicy()).isEqualTo(FailurePolicy.FALLBACK);
    }

    @Test
    void reportsInconsistentServingSettingsNamingTheirKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.cascade.from", "fraud-mlp");
        conf.setString("scorestream.fallback.models", "fraud-mlp:fraud-mlp");
        conf.setString("scorestream.cache.max-entries", "-1");
        conf.setString("scorestream.breaker.failure-threshold", "-2");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.cascade.from and scorestream.cascade.to go together")
                .hasMessageContaining(
                        "scorestream.fallback.models: model fraud-mlp cannot be its own")
                .hasMessageContaining("scorestream.cache.max-entries must be at least 0")
                .hasMessageContaining("scorestream.breaker.failure-threshold must be at least 0");

        Configuration band = ScoringSettingsTest.minimal();
        band.setString("scorestream.cascade.from", "fraud-mlp");
        band.setString("scorestream.cascade.to", "fraud-gru");
        band.setString("scorestream.cascade.band", "0.9..0.1");
        assertThatThrownBy(() -> ScoringSettings.from(band))
                .hasMessageContaining("scorestream.cascade.band");
    }

    @Test
    void twoModelCallsMustFitInTheAsyncTimeout() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.fallback.models", "fraud-mlp:fraud-gru");
        conf.setString("scorestream.inference.model-timeout", "3 s");
        conf.setString("scorestream.inference.timeout", "5 s");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .hasMessageContaining(
                        "scorestream.inference.model-timeout (PT3S) x 2 must be less than"
                                + " scorestream.inference.timeout (PT5S)");
    }

    @Test
    void modelsTheSettingsNameMustExist() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.routing.event-types", "checkout:churn-xgb");
        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.routing.event-types")
                .hasMessageContaining("churn-xgb");

        Configuration version = ScoringSettingsTest.minimal();
        version.setString("scorestream.fallback.models", "fraud-mlp:fraud-gru");
        version.setString("scorestream.routing.versions", "fraud-gru:9");
        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(version)))
                .hasMessageContaining("fraud-gru")
                .hasMessageContaining("'9'");
    }

    @Test
    void aCascadeBetweenModelsOfTwoTasksIsRefusedNamingItsKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.cascade.from", "fraud-mlp");
        conf.setString("scorestream.cascade.to", "intent-gru");

        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.cascade.from / scorestream.cascade.to: fraud-mlp v2 (label"
                                + " 'fraud') escalates to intent-gru v2 (label 'buyer'); a cascade"
                                + " needs two models of one task");
    }

    @Test
    void aFallbackOfAnotherTaskIsRefusedNamingTheKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.routing.event-types", "checkout:intent-gru");
        conf.setString("scorestream.routing.versions", "intent-gru:1");
        conf.setString("scorestream.fallback.models", "intent-gru:fraud-mlp,fraud-mlp:fraud-gru");

        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.fallback.models: intent-gru v1 (label 'buyer') falls back to"
                                + " fraud-mlp v2 (label 'fraud'); a fallback model must predict what"
                                + " its model predicts")
                .as("the same-task fallback of the same setting is fine")
                .hasMessageNotContaining("fraud-gru");
    }

    @Test
    void routingEventTypesToAModelOfAnotherTaskIsAllowed() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.routing.event-types", "checkout:intent-gru");

        ServingPlan plan = new ScoringPipeline(ScoringSettings.from(conf)).plan();

        assertThat(plan.modelFor("checkout")).isEqualTo("intent-gru");
        assertThat(plan.partnersOf("intent-gru")).isEmpty();
    }
}
