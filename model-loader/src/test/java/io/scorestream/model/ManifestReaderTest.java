package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestReaderTest {

    private static final String SHA_PT =
            "2b1998292e96c1d1aa78a1d3891d02a681d388c3ce39e9a0a6ef6a71a8085046";
    private static final String SHA_GOLDEN =
            "75EC9588C4C0B9D64D45B39FFE28DB16D9BCDCA04EF3C8F21898EE4AB0A054CF";

    /** A valid manifest in the generator's format, with keys the reader must ignore. */
    static final String VALID =
            """
            {
              "name": "fraud-mlp",
              "version": "3",
              "engine": "PyTorch",
              "artifact": "model.pt",
              "alternatives": [{"engine": "OnnxRuntime", "artifact": "model.onnx"}],
              "inputs": [{"name": "features", "shape": [24], "dtype": "float32"}],
              "outputs": [{"name": "score", "shape": [1], "dtype": "float32"}],
              "feature_spec": {
                "layout": "event_with_session_aggregates",
                "event_types": ["view", "click", "add_to_cart", "checkout"],
                "event_features": ["amount", "dwell"]
              },
              "label": "fraud",
              "training": {"heldout_auc": 0.97, "epochs": 4},
              "files": {"model.pt": "%s", "model.onnx": "%s", "golden.json": "%s"}
            }
            """
                    .formatted(SHA_PT, SHA_PT, SHA_GOLDEN);

    @TempDir Path dir;

    @Test
    void anAlternativeArtifactMustBeChecksummedToo() throws Exception {
        Path manifest = write(VALID.replace("\"model.onnx\": \"" + SHA_PT + "\", ", ""));

        assertThatThrownBy(() -> ManifestReader.read(manifest))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("alternatives[0].artifact")
                .hasMessageContaining("not listed in 'files'");
    }

    @Test
    void validManifestParsesToTheExpectedRecord() {
        ModelManifest manifest = ManifestReader.read(write(VALID));

        Map<String, String> files = new LinkedHashMap<>();
        files.put("model.pt", SHA_PT);
        files.put("model.onnx", SHA_PT);
        files.put("golden.json", SHA_GOLDEN.toLowerCase(java.util.Locale.ROOT));
        assertThat(manifest)
                .isEqualTo(
                        new ModelManifest(
                                "fraud-mlp",
                                "3",
                                "PyTorch",
                                "model.pt",
                                List.of(new TensorSpec("features", List.of(24), "float32")),
                                List.of(new TensorSpec("score", List.of(1), "float32")),
                                new FeatureSpec(
                                        FeatureLayout.EVENT_WITH_SESSION_AGGREGATES,
                                        List.of("view", "click", "add_to_cart", "checkout"),
                                        List.of("amount", "dwell"),
                                        0),
                                "fraud",
                                files,
                                0.97,
                                Map.of("OnnxRuntime", "model.onnx")));
        assertThat(manifest.input().elementCount()).isEqualTo(24);
        assertThat(manifest.output().elementCount()).isEqualTo(1);
        assertThat(manifest.displayName()).isEqualTo("fraud-mlp v3");
    }

    @Test
    void realManifestsOfBothModelsParse() {
        ModelManifest fraud =
                ManifestReader.read(TestModels.modelsDir().resolve("fraud-mlp/1/manifest.json"));
        assertThat(fraud.input()).isEqualTo(new TensorSpec("features", List.of(24), "float32"));
        assertThat(fraud.featureSpec().layout())
                .isEqualTo(FeatureLayout.EVENT_WITH_SESSION_AGGREGATES);
        assertThat(fraud.featureSpec().eventFeatures()).hasSize(6);
        assertThat(fraud.files()).containsKeys("model.pt", "model.onnx", "golden.json");

        ModelManifest intent =
                ManifestReader.read(TestModels.modelsDir().resolve("intent-gru/1/manifest.json"));
        assertThat(intent.input().shape()).containsExactly(16, 11);
        assertThat(intent.input().elementCount()).isEqualTo(176);
        assertThat(intent.featureSpec().layout()).isEqualTo(FeatureLayout.SESSION_SEQUENCE);
        assertThat(intent.featureSpec().sequenceLength()).isEqualTo(16);
        assertThat(intent.label()).isEqualTo("buyer");
    }

    @Test
    void malformedJsonNamesTheFile() {
        Path file = write(VALID.substring(0, VALID.length() / 2));
        assertThatThrownBy(() -> ManifestReader.read(file))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void lenientJsonIsRejected() {
        Path file = write(VALID.replace("\"label\": \"fraud\"", "'label': 'fraud' // lenient"));
        assertThatThrownBy(() -> ManifestReader.read(file))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void nonObjectTopLevelIsRejected() {
        Path file = write("[1, 2]");
        assertThatThrownBy(() -> ManifestReader.read(file))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("JSON object");
    }

    @Test
    void missingFileIsAnIntegrityError() {
        Path file = dir.resolve("absent.json");
        assertThatThrownBy(() -> ManifestReader.read(file))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(file.toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "name",
                "version",
                "engine",
                "artifact",
                "inputs",
                "outputs",
                "label",
                "files",
                "training",
                "feature_spec"
            })
    void missingTopLevelKeyIsNamed(String key) {
        assertInvalid(m -> m.remove(key), "missing required key '" + key + "'");
    }

    @Test
    void missingNestedKeysAreNamedWithTheirPath() {
        assertInvalid(
                m -> m.getAsJsonObject("training").remove("heldout_auc"),
                "missing required key 'training.heldout_auc'");
        assertInvalid(
                m -> m.getAsJsonObject("feature_spec").remove("layout"),
                "missing required key 'feature_spec.layout'");
        assertInvalid(
                m -> tensor(m, "inputs").remove("shape"), "missing required key 'inputs[0].shape'");
        assertInvalid(
                m -> tensor(m, "outputs").remove("dtype"),
                "missing required key 'outputs[0].dtype'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[0]        | key 'inputs[0].shape[0]' must be a positive integer, got 0",
                "[24, -1]   | key 'inputs[0].shape[1]' must be a positive integer, got -1",
                "[2.5]      | key 'inputs[0].shape[0]' must be a positive integer, got 2.5",
                "['a']      | key 'inputs[0].shape[0]' must be a positive integer",
                "[]         | key 'inputs[0].shape' must not be empty",
                "24         | key 'inputs[0].shape' must be an array",
            })
    void badShapeIsNamed(String shape, String expected) {
        String json = shape.replace('\'', '"');
        assertInvalid(
                m -> tensor(m, "inputs").add("shape", JsonParser.parseString(json)), expected);
    }

    @Test
    void artifactMustBeChecksummed() {
        assertInvalid(
                m -> m.getAsJsonObject("files").remove("model.pt"),
                "key 'artifact' names 'model.pt', which is not listed in 'files'");
    }

    @Test
    void onlyFloat32IsSupported() {
        assertInvalid(
                m -> tensor(m, "outputs").addProperty("dtype", "float64"),
                "key 'outputs[0].dtype' is 'float64', only 'float32' is supported");
    }

    @Test
    void multiTensorModelsAreRejectedForNow() {
        assertInvalid(
                m -> m.getAsJsonArray("inputs").add(tensor(m, "inputs").deepCopy()),
                "key 'inputs' must list exactly one tensor");
    }

    @Test
    void unknownLayoutIsNamed() {
        assertInvalid(
                m -> m.getAsJsonObject("feature_spec").addProperty("layout", "images"),
                "key 'feature_spec.layout' unknown feature layout 'images'");
    }

    @Test
    void sequenceLayoutNeedsAMatchingSequenceLength() {
        Consumer<JsonObject> toSequence =
                m -> {
                    m.getAsJsonObject("feature_spec").addProperty("layout", "session_sequence");
                    tensor(m, "inputs").add("shape", JsonParser.parseString("[16, 11]"));
                };
        assertInvalid(toSequence, "missing required key 'feature_spec.sequence_length'");
        assertInvalid(
                toSequence.andThen(
                        m -> m.getAsJsonObject("feature_spec").addProperty("sequence_length", 8)),
                "key 'feature_spec.sequence_length' is 8 but the input's first dimension is 16");

        Path file =
                write(
                        edit(
                                toSequence.andThen(
                                        m ->
                                                m.getAsJsonObject("feature_spec")
                                                        .addProperty("sequence_length", 16))));
        assertThat(ManifestReader.read(file).featureSpec().sequenceLength()).isEqualTo(16);
    }

    @Test
    void checksumsMustBeSha256Hex() {
        assertInvalid(
                m -> m.getAsJsonObject("files").addProperty("model.pt", "abc"),
                "key 'files.model.pt' must be a 64-digit SHA-256 hex string");
    }

    @Test
    void fileNamesMustStayInsideTheVersionFolder() {
        assertInvalid(
                m -> m.getAsJsonObject("files").addProperty("../escape.bin", SHA_PT),
                "key 'files.../escape.bin' is not a plain file name");
    }

    @Test
    void wrongTypesAreNamed() {
        assertInvalid(m -> m.addProperty("version", 1), "key 'version' must be a string, got 1");
        assertInvalid(m -> m.addProperty("name", " "), "key 'name' must not be blank");
        assertInvalid(
                m -> m.getAsJsonObject("training").addProperty("heldout_auc", "high"),
                "key 'training.heldout_auc' must be a number");
    }

    private void assertInvalid(Consumer<JsonObject> breakIt, String expected) {
        Path file = write(edit(breakIt));
        assertThatThrownBy(() -> ManifestReader.read(file))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(expected);
    }

    private static String edit(Consumer<JsonObject> change) {
        JsonObject manifest = JsonParser.parseString(VALID).getAsJsonObject();
        change.accept(manifest);
        return manifest.toString();
    }

    private static JsonObject tensor(JsonObject manifest, String key) {
        JsonArray tensors = manifest.getAsJsonArray(key);
        return tensors.get(0).getAsJsonObject();
    }

    private int written;

    private Path write(String content) {
        Path file = dir.resolve("manifest-" + written++ + ".json");
        TestModels.write(file, content);
        return file;
    }
}
