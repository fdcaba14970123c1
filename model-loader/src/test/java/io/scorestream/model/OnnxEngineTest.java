package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference models ship as TorchScript and ONNX: both engines must give the same scores. */
class OnnxEngineTest {

    private static final ModelRepository REPOSITORY =
            ModelRepository.at(Path.of(System.getProperty("scorestream.models.dir", "../models")));

    @Test
    void onnxRuntimeAndPyTorchAgreeOnEveryReferenceModel() throws Exception {
        for (String name : REPOSITORY.models()) {
            for (String version : REPOSITORY.versions(name)) {
                ModelLocation location = REPOSITORY.resolve(name, version);
                assertThat(location.manifest().engines()).contains("PyTorch", "OnnxRuntime");
                JsonObject golden =
                        JsonParser.parseString(
                                        Files.readString(
                                                location.directory().resolve("golden.json")))
                                .getAsJsonObject();
                float[][] inputs = rows(golden.getAsJsonArray("inputs"));
                JsonArray expected = golden.getAsJsonArray("scores");

                float[][] torch;
                float[][] onnx;
                try (ScoringModel model = ModelLoader.load(location, LoadOptions.defaults())) {
                    torch = model.predict(inputs);
                }
                try (ScoringModel model =
                        ModelLoader.load(
                                location.withEngine("OnnxRuntime"), LoadOptions.defaults())) {
                    assertThat(model.manifest().engine()).isEqualTo("OnnxRuntime");
                    assertThat(model.manifest().artifact()).isEqualTo("model.onnx");
                    onnx = model.predict(inputs);
                    // Batch sizes must not matter to ONNX Runtime either.
                    assertThat(model.predict(new float[][] {inputs[3]})[0][0])
                            .isCloseTo(onnx[3][0], within(1e-6f));
                }
                for (int i = 0; i < inputs.length; i++) {
                    assertThat(onnx[i][0])
                            .as("%s v%s row %d: ONNX vs TorchScript", name, version, i)
                            .isCloseTo(torch[i][0], within(1e-4f));
                    assertThat(onnx[i][0])
                            .as("%s v%s row %d: ONNX vs the Python golden score", name, version, i)
                            .isCloseTo(expected.get(i).getAsFloat(), within(1e-4f));
                }
            }
        }
    }

    @Test
    void theEngineChoiceLoadsTheOnnxAlternativeAndScoresLikeTheGoldenFile() {
        ModelLocation location = TestModels.resolve("fraud-mlp/2");
        TestModels.Golden golden = TestModels.golden(location);
        LoadOptions onnx = LoadOptions.defaults().withEngine(EngineChoice.ONNX_RUNTIME);

        try (ScoringModel model = ModelLoader.load(location, onnx)) {
            assertThat(model.manifest().engine()).isEqualTo("OnnxRuntime");
            assertThat(model.manifest().artifact()).isEqualTo("model.onnx");
            float[][] scores = model.predict(golden.inputs());
            for (int i = 0; i < scores.length; i++) {
                assertThat(scores[i][0]).isCloseTo(golden.scores()[i], within(1e-5f));
            }
        }
        try (ScoringModel model =
                ModelLoader.load(location, onnx.withEngine(EngineChoice.PRIMARY))) {
            assertThat(model.manifest().engine()).isEqualTo("PyTorch");
        }
    }

    @Test
    void aVersionWithoutTheChosenEngineIsRefusedNamingTheSetting(@TempDir Path root) {
        Path dir = TestModels.copyVersion(root, "fraud-mlp", "1");
        TestModels.editManifest(dir, m -> m.add("alternatives", new JsonArray()));
        ModelLocation torchOnly = ModelRepository.at(root).resolve("fraud-mlp", "1");
        LoadOptions onnx = LoadOptions.defaults().withEngine(EngineChoice.ONNX_RUNTIME);

        assertThat(EngineChoice.ONNX_RUNTIME.availableIn(torchOnly.manifest())).isFalse();
        assertThat(EngineChoice.PRIMARY.availableIn(torchOnly.manifest())).isTrue();
        assertThatThrownBy(() -> ModelLoader.load(torchOnly, onnx))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(
                        "scorestream.model.engine is OnnxRuntime but model fraud-mlp v1 ships no"
                                + " artifact for it (its engines: [PyTorch])");
        assertThatThrownBy(
                        () ->
                                DevicePlacement.place(
                                        torchOnly,
                                        onnx.withDevice(DeviceSpec.gpu(0)),
                                        DevicePlacement.Fallback.CPU))
                .as("placement asks the chosen engine for GPUs, so it refuses the same way")
                .hasMessageContaining("scorestream.model.engine is OnnxRuntime");
    }

    @Test
    void onnxRuntimeGetsTheThreadSettingsPerModel() {
        ModelLocation onnx = TestModels.resolve("fraud-mlp/2").withEngine("OnnxRuntime");
        LoadOptions threads = LoadOptions.defaults().withThreads(3, 2);

        assertThat(options(ModelLoader.criteria(onnx, ai.djl.Device.cpu(), threads)))
                .containsEntry("intraOpNumThreads", "3")
                .containsEntry("interOpNumThreads", "2");
        assertThat(
                        options(
                                ModelLoader.criteria(
                                        TestModels.resolve("fraud-mlp/2"),
                                        ai.djl.Device.cpu(),
                                        threads)))
                .as("libtorch reads its JVM-wide system properties instead")
                .doesNotContainKeys("intraOpNumThreads", "interOpNumThreads");
        try (ScoringModel model =
                ModelLoader.load(
                        TestModels.resolve("fraud-mlp/2"),
                        threads.withEngine(EngineChoice.ONNX_RUNTIME))) {
            assertThat(model.predict(new float[3][24])).hasDimensions(3, 1);
        }
    }

    @Test
    void anEngineTheVersionDoesNotShipIsAClearError() {
        ModelLocation location = REPOSITORY.resolve("fraud-mlp", "1");
        assertThatThrownBy(() -> location.withEngine("TensorRT"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("fraud-mlp v1 ships no artifact for engine 'TensorRT'")
                .hasMessageContaining("PyTorch")
                .hasMessageContaining("OnnxRuntime");
    }

    private static float[][] rows(JsonArray array) {
        float[][] rows = new float[array.size()][];
        for (int i = 0; i < rows.length; i++) {
            JsonArray row = array.get(i).getAsJsonArray();
            rows[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                rows[i][j] = row.get(j).getAsFloat();
            }
        }
        return rows;
    }

    @Test
    void onAGpuAnOnnxModelCanAskForOnnxRuntimesTensorRtProvider() {
        ModelLocation onnx = TestModels.resolve("fraud-mlp/2").withEngine("OnnxRuntime");
        LoadOptions tensorRt = LoadOptions.defaults().withOnnxGpuProvider(OnnxGpuProvider.TENSORRT);

        assertThat(options(ModelLoader.criteria(onnx, ai.djl.Device.gpu(0), tensorRt)))
                .containsEntry("ortDevice", "TensorRT");
        assertThat(
                        options(
                                ModelLoader.criteria(
                                        onnx, ai.djl.Device.gpu(0), LoadOptions.defaults())))
                .as("CUDA, DJL's default on a GPU")
                .doesNotContainKey("ortDevice");
        assertThat(options(ModelLoader.criteria(onnx, ai.djl.Device.cpu(), tensorRt)))
                .as("no provider on the CPU")
                .doesNotContainKey("ortDevice");
        assertThat(
                        options(
                                ModelLoader.criteria(
                                        TestModels.resolve("fraud-mlp/2"),
                                        ai.djl.Device.gpu(0),
                                        tensorRt)))
                .as("TorchScript models are not ONNX Runtime's")
                .doesNotContainKey("ortDevice");
    }

    /** DJL's options of a criteria; null when none were set. */
    private static java.util.Map<String, String> options(
            ai.djl.repository.zoo.Criteria<RowBatch, float[]> criteria) {
        return criteria.getOptions() == null ? java.util.Map.of() : criteria.getOptions();
    }
}
