package io.scorestream.operators.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.features.ModelTarget;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingPlanTest {

    private static final ModelTarget MLP =
            new ModelTarget("fraud-mlp", "2", FeatureLayout.EVENT_WITH_SESSION_AGGREGATES, 0, 24);
    private static final ModelTarget GRU =
            new ModelTarget("fraud-gru", "1", FeatureLayout.SESSION_SEQUENCE, 16, 176);

    private static final ModelTarget INTENT =
            new ModelTarget("intent-gru", "1", FeatureLayout.SESSION_SEQUENCE, 16, 176);

    private static final ServingPlan PLAN =
            new ServingPlan(
                    "fraud-mlp",
                    Map.of("checkout", "fraud-gru"),
                    Map.of("fraud-mlp", MLP, "fraud-gru", GRU),
                    new Cascade("fraud-mlp", "fraud-gru", 0.4f, 0.6f),
                    Map.of("fraud-gru", "fraud-mlp"));

    @Test
    void routesByEventTypeWithTheDefaultModelForTheRest() {
        assertThat(PLAN.modelFor("checkout")).isEqualTo("fraud-gru");
        assertThat(PLAN.modelFor("click")).isEqualTo("fraud-mlp");
        assertThat(PLAN.target("fraud-gru")).isEqualTo(GRU);
    }

    @Test
    void onlyTheSmallModelEscalatesAndOnlyInItsBand() {
        Cascade cascade = PLAN.cascadeFrom("fraud-mlp").orElseThrow();
        assertThat(PLAN.cascadeFrom("fraud-gru")).isEmpty();
        assertThat(cascade.escalates(0.4f)).isTrue();
        assertThat(cascade.escalates(0.6f)).isTrue();
        assertThat(cascade.escalates(0.39f)).isFalse();
        assertThat(cascade.escalates(0.61f)).isFalse();
        assertThat(cascade.escalates(Float.NaN)).isFalse();
    }

    @Test
    void fallbacksAreLookedUpPerModel() {
        assertThat(PLAN.fallbackFor("fraud-gru")).contains("fraud-mlp");
        assertThat(PLAN.fallbackFor("fraud-mlp")).isEmpty();
    }

    @Test
    void partnersAreTheModelsACascadeOrFallbackPairsAModelWith() {
        ServingPlan plan =
                new ServingPlan(
                        "fraud-mlp",
                        Map.of("checkout", "intent-gru"),
                        Map.of("fraud-mlp", MLP, "fraud-gru", GRU, "intent-gru", INTENT),
                        new Cascade("fraud-mlp", "fraud-gru", 0.4f, 0.6f),
                        Map.of("fraud-gru", "fraud-mlp"));

        assertThat(plan.partnersOf("fraud-mlp")).containsExactly("fraud-gru");
        assertThat(plan.partnersOf("fraud-gru")).containsExactly("fraud-mlp");
        assertThat(plan.partnersOf("intent-gru"))
                .as("routed to, but paired with nothing")
                .isEmpty();
    }

    @Test
    void aPlanMustHaveAVersionOfEveryModelItNames() {
        assertThatThrownBy(
                        () ->
                                new ServingPlan(
                                        "fraud-mlp",
                                        Map.of("checkout", "intent-gru"),
                                        Map.of("fraud-mlp", MLP),
                                        null,
                                        Map.of()))
                .hasMessageContaining("intent-gru");
        assertThatThrownBy(
                        () ->
                                new ServingPlan(
                                        "fraud-mlp",
                                        Map.of(),
                                        Map.of("fraud-mlp", MLP),
                                        null,
                                        Map.of("fraud-mlp", "fraud-mlp")))
                .hasMessageContaining("own fallback");
        assertThatThrownBy(() -> new Cascade("a", "b", 0.7f, 0.3f)).hasMessageContaining("band");
    }
}
