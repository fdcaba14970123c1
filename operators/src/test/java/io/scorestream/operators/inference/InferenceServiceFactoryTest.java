package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import io.scorestream.model.DevicePlacement;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.ModelLoadException;
import io.scorestream.model.ModelLoader;
import io.scorestream.operators.registry.RegistrySettings;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a service from settings: repository URI, cache, device placement, fallback. */
class InferenceServiceFactoryTest {

    @TempDir Path cacheDir;

    private InferenceSettings settings(String repository, DevicePlacement.Fallback fallback) {
        return new InferenceSettings(
                repository,
                "gpu",
                1,
                1,
                new BatchingConfig(16, Duration.ZERO, 256, 1),
                TimeoutPolicy.FALLBACK,
                FailurePolicy.DEAD_LETTER,
                0f,
                Duration.ZERO,
                CacheConfig.off(),
                BreakerConfig.off(),
                new RegistrySettings(cacheDir.toString(), 4, Duration.ofMinutes(10), fallback));
    }

    private static InferenceServices.Key key(String repository, String device) {
        return new InferenceServices.Key(repository, "fraud-mlp", "2", device);
    }

    private static void assumeNoGpu() {
        assumeTrue(
                Engine.getEngine(ModelLoader.PYTORCH).getGpuCount() == 0,
                "DJL's PyTorch engine sees a GPU here");
    }

    @Test
    void theKeysEngineChoosesWhichArtifactIsLoaded() throws Exception {
        String repository = ReferenceModels.root().toString();
        InferenceServiceFactory factory =
                new InferenceServiceFactory(
                        settings(repository, DevicePlacement.Fallback.FAIL),
                        OptionalInt.empty(),
                        Clock.system());
        float[][] inputs = ReferenceModels.goldenInputs("fraud-mlp", "2");
        float[] expected = ReferenceModels.goldenScores("fraud-mlp", "2");
        InferenceServices.Key onnx =
                new InferenceServices.Key(
                        repository, "fraud-mlp", "2", "cpu", EngineChoice.ONNX_RUNTIME);

        assertThat(onnx).isNotEqualTo(key(repository, "cpu"));
        try (InferenceService service = factory.apply(onnx)) {
            assertThat(service.manifest().engine()).isEqualTo("OnnxRuntime");
            assertThat(service.submit(inputs[5]).get(30, TimeUnit.SECONDS).scores()[0])
                    .isCloseTo(expected[5], within(1e-5f));
        }
        try (InferenceService service = factory.apply(key(repository, "cpu"))) {
            assertThat(service.manifest().engine()).isEqualTo("PyTorch");
        }
    }

    @Test
    void gpuWithoutAGpuFailsNamingTheSetting() {
        assumeNoGpu();
        String repository = ReferenceModels.root().toString();
        InferenceServiceFactory factory =
                new InferenceServiceFactory(
                        settings(repository, DevicePlacement.Fallback.FAIL),
                        OptionalInt.empty(),
                        Clock.system());

        assertThatThrownBy(() -> factory.apply(key(repository, "gpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("scorestream.model.device is gpu:0 but no GPU is visible");
    }

    @Test
    void gpuWithTheCpuFallbackLoadsFromAUriAndScoresOnTheCpu() throws Exception {
        assumeNoGpu();
        String repository = ReferenceModels.root().toUri().toString();
        InferenceServiceFactory factory =
                new InferenceServiceFactory(
                        settings(repository, DevicePlacement.Fallback.CPU),
                        OptionalInt.of(1),
                        Clock.system());
        JsonObject golden = ReferenceModels.modelGolden("fraud-mlp", "2");
        float[][] inputs = ReferenceModels.rows(golden.getAsJsonArray("inputs"));
        float[] expected = ReferenceModels.floats(golden.getAsJsonArray("scores"));

        try (InferenceService service = factory.apply(key(repository, "gpu"))) {
            List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
            for (float[] input : inputs) {
                results.add(service.submit(input));
            }
            for (int i = 0; i < inputs.length; i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS).scores()[0])
                        .isCloseTo(expected[i], within(1e-5f));
            }
        }
        try (var cached = Files.list(cacheDir)) {
            assertThat(cached.toList())
                    .as("the version was fetched into the configured cache")
                    .singleElement()
                    .satisfies(
                            folder ->
                                    assertThat(folder.resolve("fraud-mlp/2/model.pt"))
                                            .isRegularFile());
        }
    }
}
