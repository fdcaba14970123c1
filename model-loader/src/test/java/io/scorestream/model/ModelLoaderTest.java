package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import io.scorestream.model.TestModels.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, input validation, sessions and lifecycle, on the real fraud-mlp v1. */
class ModelLoaderTest {

    private static ModelLocation location;
    private static ScoringModel model;
    private static Golden golden;

    @TempDir Path root;

    @BeforeAll
    static void load() {
        location = TestModels.repository().resolve(TestModels.FRAUD, "1");
        golden = TestModels.golden(location);
        model = ModelLoader.load(location, LoadOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void describesTheLoadedModel() {
        assertThat(model.manifest()).isEqualTo(location.manifest());
        assertThat(model.device()).isEqualTo(DeviceSpec.cpu());
        assertThat(model.inputWidth()).isEqualTo(24);
        assertThat(model.outputWidth()).isEqualTo(1);
        assertThat(model).hasToString("ScoringModel[fraud-mlp v1 on cpu]");
    }

    @Test
    void wrongRowLengthIsRejectedBeforeTheEngine() {
        float[][] rows = {golden.inputs()[0], new float[23]};
        assertThatThrownBy(() -> model.predict(rows))
                .isInstanceOf(InvalidModelInputException.class)
                .hasMessage(
                        "model fraud-mlp v1: row 1 has 23 values, expected 24 (input 'features'"
                                + " of shape [24], flattened)");
    }

    @Test
    void nullRowsAreRejected() {
        assertThatThrownBy(() -> model.predict(null))
                .isInstanceOf(InvalidModelInputException.class)
                .hasMessage("model fraud-mlp v1: rows must not be null");
        assertThatThrownBy(() -> model.predict(new float[][] {golden.inputs()[0], null}))
                .isInstanceOf(InvalidModelInputException.class)
                .hasMessageContaining("row 1 is null, expected 24");
    }

    @Test
    void emptyBatchGivesEmptyResult() {
        assertThat(model.predict(new float[0][])).isEmpty();
        try (ModelSession session = model.newSession()) {
            assertThat(session.predict(new float[0][])).isEmpty();
        }
    }

    @Test
    void dedicatedSessionScoresLikeThePool() {
        ModelSession session = model.newSession();
        float[][] viaSession = session.predict(golden.inputs());
        float[][] viaPool = model.predict(golden.inputs());
        assertThat(viaSession).isDeepEqualTo(viaPool);
        assertThat(session.predict(golden.inputs())).isDeepEqualTo(viaSession);

        session.close();
        session.close();
        assertThatThrownBy(() -> session.predict(golden.inputs()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        // The model is unaffected by a session closing.
        assertThat(model.predict(golden.inputs())).isDeepEqualTo(viaPool);
    }

    @Test
    void poolReusesItsSession() {
        int before = model.pooledSessionsCreated();
        for (int i = 0; i < 20; i++) {
            model.predict(golden.inputs());
        }
        assertThat(model.pooledSessionsCreated()).isEqualTo(before).isGreaterThanOrEqualTo(1);
    }

    /**
     * The translator's tensors live in DJL's per-call context manager, which is closed when the
     * call returns: nothing stays attached below the model's native memory manager.
     */
    @Test
    void repeatedPredictionsLeaveNoNativeArraysBehind() {
        try (ModelSession session = model.newSession()) {
            session.predict(golden.inputs());
            assertThat(model.sessionNativeArrays()).isZero();
            for (int i = 0; i < 300; i++) {
                session.predict(golden.inputs());
                model.predict(new float[][] {golden.inputs()[i % golden.inputs().length]});
            }
            assertThat(model.sessionNativeArrays()).isZero();

            // The probe does see arrays left in a manager below the model's.
            try (NDManager leaky = model.nativeManager().newSubManager()) {
                leaky.create(new float[] {1, 2, 3});
                assertThat(model.sessionNativeArrays()).isEqualTo(1);
            }
            assertThat(model.sessionNativeArrays()).isZero();
        }
    }

    @Test
    void requestingAGpuThatDjlDoesNotSeeFailsClearly() {
        int gpus = Engine.getEngine(ModelLoader.PYTORCH).getGpuCount();
        LoadOptions options = LoadOptions.defaults().withDevice(DeviceSpec.gpu(gpus));

        assertThatThrownBy(() -> ModelLoader.load(location, options))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("fraud-mlp v1")
                .hasMessageContaining("device gpu:" + gpus + " was requested")
                .hasMessageContaining("engine sees " + gpus + " GPU");
    }

    @Test
    void aManifestNamingTheOnnxEngineLoadsItsOnnxArtifact() {
        Path dir = TestModels.copyVersion(root, TestModels.FRAUD, "1");
        TestModels.editManifest(
                dir,
                m -> {
                    m.addProperty("engine", "OnnxRuntime");
                    m.addProperty("artifact", "model.onnx");
                    m.remove("alternatives");
                });
        ModelLocation onnx = ModelRepository.at(root).resolve(TestModels.FRAUD, "1");

        try (ScoringModel model = ModelLoader.load(onnx, LoadOptions.defaults())) {
            assertThat(model.manifest().engine()).isEqualTo("OnnxRuntime");
            assertThat(model.predict(new float[2][24])).hasDimensions(2, 1);
        }
    }

    @Test
    void anEngineTheLoaderDoesNotKnowIsRefused() {
        Path dir = TestModels.copyVersion(root, TestModels.FRAUD, "1");
        TestModels.editManifest(dir, m -> m.addProperty("engine", "TensorFlow"));
        ModelLocation location = ModelRepository.at(root).resolve(TestModels.FRAUD, "1");

        assertThatThrownBy(() -> ModelLoader.load(location, LoadOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("fraud-mlp v1 uses engine 'TensorFlow'")
                .hasMessageContaining("PyTorch")
                .hasMessageContaining("OnnxRuntime");
    }

    @Test
    void outputOfTheWrongSizeIsCaughtAtWarmup() {
        Path dir = TestModels.copyVersion(root, TestModels.FRAUD, "1");
        TestModels.editManifest(
                dir,
                m ->
                        m.getAsJsonArray("outputs")
                                .get(0)
                                .getAsJsonObject()
                                .add("shape", JsonParser.parseString("[2]")));
        ModelLocation lying = ModelRepository.at(root).resolve(TestModels.FRAUD, "1");

        assertThatThrownBy(() -> ModelLoader.load(lying, LoadOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("failed its warm-up")
                .cause()
                .isInstanceOf(ModelExecutionException.class)
                .hasMessageContaining("expected 2 output values (1 rows x 2")
                .hasMessageContaining("the model returned 1");
    }

    @Test
    void engineErrorsNameModelAndBatchSize() {
        Path dir = TestModels.copyVersion(root, TestModels.FRAUD, "1");
        TestModels.editManifest(
                dir,
                m ->
                        m.getAsJsonArray("inputs")
                                .get(0)
                                .getAsJsonObject()
                                .add("shape", JsonParser.parseString("[25]")));
        ModelLocation wrongInput = ModelRepository.at(root).resolve(TestModels.FRAUD, "1");

        try (ScoringModel broken =
                ModelLoader.load(wrongInput, LoadOptions.defaults().withWarmupIterations(0))) {
            assertThatThrownBy(() -> broken.predict(new float[3][25]))
                    .isInstanceOf(ModelExecutionException.class)
                    .hasMessageContaining("model fraud-mlp v1 failed to score a batch of 3 rows")
                    .hasCauseInstanceOf(ai.djl.translate.TranslateException.class);
            // The pooled session survives an engine error.
            assertThatThrownBy(() -> broken.predict(new float[1][25]))
                    .isInstanceOf(ModelExecutionException.class)
                    .hasMessageContaining("batch of 1 rows");
        }
    }

    @Test
    void closedModelRefusesWorkAndClosesIdempotently() {
        ScoringModel second = ModelLoader.load(location, LoadOptions.defaults());
        ModelSession dedicated = second.newSession();
        assertThat(second.predict(golden.inputs())).hasNumberOfRows(golden.inputs().length);

        second.close();
        second.close();
        assertThatThrownBy(() -> second.predict(golden.inputs()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model fraud-mlp v1 is closed");
        assertThatThrownBy(() -> dedicated.predict(golden.inputs()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(second::newSession).isInstanceOf(IllegalStateException.class);
        dedicated.close();
    }
}
