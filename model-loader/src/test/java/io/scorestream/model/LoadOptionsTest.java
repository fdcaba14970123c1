package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaultsAreCpuOneThreadEachThreeWarmups() {
        assertThat(LoadOptions.defaults()).isEqualTo(new LoadOptions(DeviceSpec.cpu(), 1, 1, 3));
    }

    @Test
    void withersReplaceOneSetting() {
        LoadOptions options =
                LoadOptions.defaults()
                        .withDevice(DeviceSpec.gpu(1))
                        .withThreads(4, 2)
                        .withWarmupIterations(0);
        assertThat(options).isEqualTo(new LoadOptions(DeviceSpec.gpu(1), 4, 2, 0));
    }

    @Test
    void rejectsInvalidSettingsNamingThem() {
        assertThatThrownBy(() -> new LoadOptions(DeviceSpec.cpu(), 0, 1, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intraOpThreads must be >= 1: 0");
        assertThatThrownBy(() -> new LoadOptions(DeviceSpec.cpu(), 1, -2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interOpThreads must be >= 1: -2");
        assertThatThrownBy(() -> new LoadOptions(DeviceSpec.cpu(), 1, 1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warmupIterations");
        assertThatThrownBy(() -> new LoadOptions(null, 1, 1, 1))
                .isInstanceOf(NullPointerException.class);
    }
}
