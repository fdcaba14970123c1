package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.model.EngineChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scorestream.model.engine}: which artifact of each served version runs. */
class EngineSettingsTest {

    @TempDir Path repository;

    @Test
    void byDefaultEachVersionRunsItsPrimaryArtifact() {
        ScoringSettings settings = ScoringSettings.from(ScoringSettingsTest.minimal());

        assertThat(settings.inference().registry().engine()).isEqualTo(EngineChoice.PRIMARY);
        assertThat(ScoringOptions.all()).contains(ScoringOptions.MODEL_ENGINE);
    }

    @Test
    void readsDjlsEngineNamesIgnoringCase() {
        for (String value : new String[] {"OnnxRuntime", "onnxruntime", "ONNXRUNTIME"}) {
            Configuration conf = ScoringSettingsTest.minimal();
            conf.setString("scorestream.model.engine", value);
            assertThat(ScoringSettings.from(conf).inference().registry().engine())
                    .isEqualTo(EngineChoice.ONNX_RUNTIME);
        }
        Configuration torch = ScoringSettingsTest.minimal();
        torch.setString("scorestream.model.engine", "PyTorch");
        assertThat(ScoringSettings.from(torch).inference().registry().engine())
                .isEqualTo(EngineChoice.PYTORCH);
    }

    @Test
    void anUnknownEngineIsRefusedNamingTheKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.engine", "TensorFlow");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOfSatisfying(
                        InvalidSettingsException.class,
                        e ->
                                assertThat(e.problems())
                                        .singleElement()
                                        .asString()
                                        .startsWith("scorestream.model.engine:")
                                        .contains("TensorFlow"));
    }

    @Test
    void theReferenceModelsServeOnOnnxRuntime() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.engine", "OnnxRuntime");
        conf.setString("scorestream.cascade.from", "fraud-mlp");
        conf.setString("scorestream.cascade.to", "fraud-gru");

        ScoringPipeline pipeline = new ScoringPipeline(ScoringSettings.from(conf));

        assertThat(pipeline.plan().targets()).containsOnlyKeys("fraud-mlp", "fraud-gru");
    }

    @Test
    void aMainVersionWithoutTheEngineIsRefusedAtStartUpNamingTheKey() throws IOException {
        copy("fraud-mlp", "2", true);
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.repository", repository.toString());
        conf.setString("scorestream.model.engine", "OnnxRuntime");

        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.model.engine is OnnxRuntime but model fraud-mlp v2 ships no"
                                + " artifact for it (its engines: [PyTorch])");
    }

    @Test
    void aCascadeOrFallbackVersionWithoutTheEngineIsRefusedAtStartUpNamingTheKey()
            throws IOException {
        copy("fraud-mlp", "2", false);
        copy("fraud-gru", "1", true);
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.model.repository", repository.toString());
        conf.setString("scorestream.model.engine", "OnnxRuntime");
        conf.setString("scorestream.fallback.models", "fraud-mlp:fraud-gru");

        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(conf)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.model.engine is OnnxRuntime but model fraud-gru v1 ships no"
                                + " artifact for it");

        conf.setString("scorestream.model.engine", "primary");
        assertThat(new ScoringPipeline(ScoringSettings.from(conf)).plan().fallbackFor("fraud-mlp"))
                .contains("fraud-gru");
    }

    /** Copies a reference version, without its ONNX alternative when {@code torchOnly}. */
    private void copy(String model, String version, boolean torchOnly) throws IOException {
        Path source = ScoringSettingsTest.models().resolve(model).resolve(version);
        Path target = Files.createDirectories(repository.resolve(model).resolve(version));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        if (torchOnly) {
            Path manifest = target.resolve("manifest.json");
            String json = Files.readString(manifest);
            String withoutOnnx =
                    json.replaceFirst(
                            "\"alternatives\"\\s*:\\s*\\[[^\\]]*\\]", "\"alternatives\": []");
            assertThat(withoutOnnx).isNotEqualTo(json);
            Files.writeString(manifest, withoutOnnx);
        }
    }
}
