package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.model.DevicePlacement;
import io.scorestream.model.OnnxGpuProvider;
import io.scorestream.operators.registry.RegistrySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model repository URI, cache, residency and device fallback settings. */
class ModelRegistrySettingsTest {

    @TempDir Path temp;

    @Test
    void defaultsCacheInTheTempFolderKeepFourVersionsAndFailWithoutAGpu() {
        ScoringSettings settings = ScoringSettings.from(ScoringSettingsTest.minimal());

        assertThat(settings.inference().registry()).isEqualTo(RegistrySettings.DEFAULTS);
        assertThat(settings.inference().registry().cacheDirectory())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "scorestream-models"));
        assertThat(RegistrySettings.DEFAULTS.maxResident())
                .isEqualTo(ScoringOptions.MAX_RESIDENT.defaultValue());
        assertThat(RegistrySettings.DEFAULTS.idleUnload())
                .isEqualTo(ScoringOptions.IDLE_UNLOAD.defaultValue());
        assertThat(RegistrySettings.DEFAULTS.deviceFallback())
                .isEqualTo(ScoringOptions.MODEL_DEVICE_FALLBACK.defaultValue());
    }

    @Test
    void readsTheSettingsByTheirKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.repository", "file:///srv/models");
        conf.setString("scorestream.model.cache-dir", temp.toString());
        conf.setString("scorestream.model.max-resident", "2");
        conf.setString("scorestream.model.idle-unload", "90 s");
        conf.setString("scorestream.model.device", "gpu");
        conf.setString("scorestream.model.device-fallback", "cpu");
        conf.setString("scorestream.model.onnx-gpu-provider", "TENSORRT");

        ScoringSettings settings = ScoringSettings.from(conf);

        assertThat(settings.inference().modelRepository())
                .as("a URI is kept as it is")
                .isEqualTo("file:///srv/models");
        assertThat(settings.inference().device()).isEqualTo("gpu");
        assertThat(settings.inference().registry())
                .isEqualTo(
                        new RegistrySettings(
                                temp.toString(),
                                2,
                                Duration.ofSeconds(90),
                                DevicePlacement.Fallback.CPU,
                                OnnxGpuProvider.TENSORRT));
    }

    @Test
    void badValuesAreReportedNamingTheirKeys() throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-folder"), "x");
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.repository", "nosuchfs://bucket/models");
        conf.setString("scorestream.model.cache-dir", file.toString());
        conf.setString("scorestream.model.max-resident", "0");
        conf.setString("scorestream.model.idle-unload", "0 s");
        conf.setString("scorestream.model.device-fallback", "gpu");
        conf.setString("scorestream.model.onnx-gpu-provider", "tpu");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOfSatisfying(
                        InvalidSettingsException.class,
                        e ->
                                assertThat(e.problems())
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.model.repository: no"
                                                                        + " Flink filesystem can read"
                                                                        + " nosuchfs://bucket/models"
                                                                        + " (scheme 'nosuchfs')"))
                                        .contains(
                                                "scorestream.model.cache-dir: "
                                                        + file
                                                        + " exists and is not a folder",
                                                "scorestream.model.max-resident must be at least"
                                                        + " 1, got 0",
                                                "scorestream.model.idle-unload must be positive,"
                                                        + " got PT0S")
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.model.device-fallback:"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.model.onnx-gpu-provider:")));
    }
}
