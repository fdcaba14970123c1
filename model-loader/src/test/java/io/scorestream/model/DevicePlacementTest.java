package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import io.scorestream.model.DevicePlacement.Fallback;
import io.scorestream.model.TestModels.Golden;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DevicePlacementTest {

    @Test
    void gpuMeansTheAssignedGpuElseTheFirst() {
        assertThat(DevicePlacement.requested("gpu", OptionalInt.of(3)))
                .isEqualTo(DeviceSpec.gpu(3));
        assertThat(DevicePlacement.requested(" GPU ", OptionalInt.empty()))
                .isEqualTo(DeviceSpec.gpu(0));
        assertThat(DevicePlacement.requested("gpu:1", OptionalInt.of(3)))
                .as("an explicit index wins over the assignment")
                .isEqualTo(DeviceSpec.gpu(1));
        assertThat(DevicePlacement.requested("cpu", OptionalInt.of(3))).isEqualTo(DeviceSpec.cpu());
        assertThatThrownBy(() -> DevicePlacement.requested("tpu", OptionalInt.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid device 'tpu'");
    }

    @Test
    void aVisibleGpuIsKeptAndTheCpuNeedsNoGpu() {
        assertThat(DevicePlacement.resolve(DeviceSpec.gpu(1), 2, Fallback.FAIL))
                .isEqualTo(DeviceSpec.gpu(1));
        assertThat(DevicePlacement.resolve(DeviceSpec.cpu(), 0, Fallback.FAIL))
                .isEqualTo(DeviceSpec.cpu());
    }

    @Test
    void withoutAGpuAGpuRequestFailsNamingTheSetting() {
        assertThatThrownBy(() -> DevicePlacement.resolve(DeviceSpec.gpu(0), 0, Fallback.FAIL))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("scorestream.model.device is gpu:0 but no GPU is visible")
                .hasMessageContaining("scorestream.model.device-fallback to cpu");
    }

    @Test
    void withoutAGpuTheCpuFallbackRunsOnTheCpu() {
        assertThat(DevicePlacement.resolve(DeviceSpec.gpu(0), 0, Fallback.CPU))
                .isEqualTo(DeviceSpec.cpu());
    }

    @Test
    void anIndexBeyondTheVisibleGpusIsAMistakeEvenWithTheFallback() {
        assertThatThrownBy(() -> DevicePlacement.resolve(DeviceSpec.gpu(2), 2, Fallback.CPU))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(
                        "scorestream.model.device is gpu:2 but DJL sees only 2 GPUs (gpu:0 to"
                                + " gpu:1)");
    }

    @Test
    void onThisCpuOnlyEngineGpuFailsOrFallsBackAndScoresOnTheCpu() {
        ModelLocation location = TestModels.repository().resolve(TestModels.FRAUD, "1");
        LoadOptions gpu = LoadOptions.defaults().withDevice(DeviceSpec.gpu(0));
        assumeTrue(
                Engine.getEngine(ModelLoader.PYTORCH).getGpuCount() == 0,
                "DJL's PyTorch engine sees a GPU here");

        assertThatThrownBy(() -> DevicePlacement.place(location, gpu, Fallback.FAIL))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("scorestream.model.device is gpu:0 but no GPU is visible")
                .hasMessageContaining("DJL's PyTorch engine (for fraud-mlp v1) sees 0 GPUs");

        LoadOptions placed = DevicePlacement.place(location, gpu, Fallback.CPU);
        assertThat(placed.device()).isEqualTo(DeviceSpec.cpu());
        Golden golden = TestModels.golden(location);
        try (ScoringModel model = ModelLoader.load(location, placed)) {
            assertThat(model.device()).isEqualTo(DeviceSpec.cpu());
            float[][] scores = model.predict(golden.inputs());
            for (int i = 0; i < scores.length; i++) {
                assertThat(scores[i][0]).isCloseTo(golden.scores()[i], within(1e-5f));
            }
        }
    }
}
