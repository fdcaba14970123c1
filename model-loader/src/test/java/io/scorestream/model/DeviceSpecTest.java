package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.model.DeviceSpec.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceSpecTest {

    @Test
    void parsesCpuAndGpus() {
        assertThat(DeviceSpec.parse("cpu")).isEqualTo(DeviceSpec.cpu());
        assertThat(DeviceSpec.parse(" CPU ")).isEqualTo(new DeviceSpec(Kind.CPU, 0));
        assertThat(DeviceSpec.parse("gpu")).isEqualTo(new DeviceSpec(Kind.GPU, 0));
        assertThat(DeviceSpec.parse("GPU:1")).isEqualTo(DeviceSpec.gpu(1));
        assertThat(DeviceSpec.parse("gpu:12").index()).isEqualTo(12);
    }

    @Test
    void textFormRoundTrips() {
        assertThat(DeviceSpec.cpu()).hasToString("cpu");
        assertThat(DeviceSpec.parse("gpu")).hasToString("gpu:0");
        assertThat(DeviceSpec.parse(DeviceSpec.gpu(3).toString())).isEqualTo(DeviceSpec.gpu(3));
        assertThat(DeviceSpec.gpu(0).isGpu()).isTrue();
        assertThat(DeviceSpec.cpu().isGpu()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "tpu",
                "gpu:",
                "gpu:-1",
                "gpu:x",
                "gpu:1:2",
                "cuda",
                "cpu:0",
                "gpu:99999999999"
            })
    void rejectsOtherTextNamingTheValue(String text) {
        assertThatThrownBy(() -> DeviceSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid device '" + text + "'")
                .hasMessageContaining("expected 'cpu', 'gpu' or 'gpu:<index>'");
    }

    @Test
    void rejectsNullAndInvalidComponents() {
        assertThatThrownBy(() -> DeviceSpec.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device is null");
        assertThatThrownBy(() -> DeviceSpec.gpu(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceSpec(Kind.CPU, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
