package io.scorestream.operators.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.testing.RepositoryCopies;
import io.scorestream.schemas.ModelRollout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions a rollout brings are held to what the job was built with: the engine it loads, and the
 * label of the models a cascade or fallback pairs them with.
 */
class RoutableVersionsTest {

    @TempDir Path repository;
    @TempDir Path cache;

    @Test
    void aRolloutThatWouldPairAFraudModelWithAnIntentModelIsRefused() throws IOException {
        RepositoryCopies.copy(repository, "fraud-mlp/2", "fraud-gru/1");
        // "fraud-gru" version 2 is really intent-gru: it predicts the buyer flag.
        publishAs("intent-gru/2", "fraud-gru", "2", manifest -> {});
        RoutableVersions versions = versions(fraudCascade(), EngineChoice.PRIMARY);

        assertThat(versions.refusal(rollout("fraud-gru", "1", "2", 10)))
                .hasValueSatisfying(
                        reason ->
                                assertThat(reason)
                                        .isEqualTo(
                                                "model fraud-gru:2 predicts 'buyer' but its"
                                                        + " cascade or fallback partner fraud-mlp"
                                                        + " predicts 'fraud'; a cascade or"
                                                        + " fallback pairs models of one label"));
        assertThat(versions.refusal(rollout("fraud-gru", "1", null, 0)))
                .as("the planned version still serves")
                .isEmpty();
    }

    @Test
    void withoutACascadeOrFallbackAModelMayServeAnotherVersionOfItsOwn() throws IOException {
        RepositoryCopies.copy(repository, "fraud-mlp/2", "fraud-gru/1");
        publishAs("intent-gru/2", "fraud-gru", "2", manifest -> {});
        ServingPlan routedOnly =
                new ServingPlan(
                        "fraud-mlp",
                        Map.of("checkout", "fraud-gru"),
                        Map.of(
                                "fraud-mlp",
                                target("fraud-mlp", "2"),
                                "fraud-gru",
                                target("fraud-gru", "1")),
                        null,
                        Map.of());

        assertThat(
                        versions(routedOnly, EngineChoice.PRIMARY)
                                .refusal(rollout("fraud-gru", "2", null, 0)))
                .isEmpty();
    }

    @Test
    void aRolloutToAVersionWithoutTheJobsEngineIsRefusedNamingTheSetting() throws IOException {
        RepositoryCopies.copy(repository, "fraud-mlp/2", "fraud-gru/1");
        publishAs(
                "fraud-mlp/2",
                "fraud-mlp",
                "3",
                manifest -> manifest.add("alternatives", new JsonArray()));
        RoutableVersions onnx = versions(fraudCascade(), EngineChoice.ONNX_RUNTIME);

        assertThat(onnx.refusal(rollout("fraud-mlp", "2", "3", 50)))
                .contains(
                        "scorestream.model.engine is OnnxRuntime but model fraud-mlp v3 ships no"
                                + " artifact for it (its engines: [PyTorch])");
        assertThat(
                        versions(fraudCascade(), EngineChoice.PRIMARY)
                                .refusal(rollout("fraud-mlp", "2", "3", 50)))
                .as("its TorchScript artifact serves a job on the primary engine")
                .isEmpty();
    }

    private RoutableVersions versions(ServingPlan plan, EngineChoice engine) {
        EventSpec spec =
                EventSpec.of(
                        ModelRepository.at(ReferenceModels.root())
                                .resolve("fraud-mlp", "2")
                                .manifest()
                                .featureSpec());
        return new RoutableVersions(plan, repository.toString(), cache, spec, 16, engine);
    }

    /** fraud-mlp v2 escalating to fraud-gru v1, which falls back to fraud-mlp. */
    private static ServingPlan fraudCascade() {
        return new ServingPlan(
                "fraud-mlp",
                Map.of(),
                Map.of(
                        "fraud-mlp",
                        target("fraud-mlp", "2"),
                        "fraud-gru",
                        target("fraud-gru", "1")),
                new Cascade("fraud-mlp", "fraud-gru", 0.4f, 0.6f),
                Map.of("fraud-gru", "fraud-mlp"));
    }

    private static ModelTarget target(String model, String version) {
        return ModelTarget.of(
                ModelRepository.at(ReferenceModels.root()).resolve(model, version).manifest());
    }

    /**
     * Publishes the reference version {@code source} as {@code model/version}: same files, its
     * manifest renamed and then edited.
     */
    private void publishAs(String source, String model, String version, Consumer<JsonObject> edit)
            throws IOException {
        Path target = Files.createDirectories(repository.resolve(model).resolve(version));
        Path from = ReferenceModels.root().resolve(source);
        try (var files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        JsonObject manifest = ReferenceModels.json(target.resolve("manifest.json"));
        manifest.addProperty("name", model);
        manifest.addProperty("version", version);
        edit.accept(manifest);
        Files.writeString(target.resolve("manifest.json"), manifest.toString());
    }

    private static ModelRollout rollout(
            String model, String stable, String candidate, int percent) {
        return ModelRollout.newBuilder()
                .setRolloutId("r-" + model + "-" + stable + "-" + candidate)
                .setModel(model)
                .setStableVersion(stable)
                .setCandidateVersion(candidate)
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.ofEpochMilli(1_000))
                .setIssuedBy("test")
                .build();
    }
}
