package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {

    @TempDir Path root;

    /**
     * A valid manifest for {@code model}/{@code version}; resolve() never opens the model files.
     */
    private void version(String model, String version) {
        manifest(model, version, model, version);
    }

    private void manifest(String folder, String versionFolder, String name, String version) {
        String json =
                ManifestReaderTest.VALID
                        .replace("\"fraud-mlp\"", "\"" + name + "\"")
                        .replace("\"version\": \"3\"", "\"version\": \"" + version + "\"");
        TestModels.write(
                root.resolve(folder).resolve(versionFolder).resolve("manifest.json"), json);
    }

    @Test
    void versionsSortNumericallyAfterNonNumericOnes() {
        for (String v : new String[] {"10", "2", "1", "beta", "alpha", "09"}) {
            version("m", v);
        }
        ModelRepository repository = ModelRepository.at(root);

        assertThat(repository.versions("m")).containsExactly("alpha", "beta", "1", "2", "09", "10");
        assertThat(repository.latestVersion("m")).isEqualTo("10");
        assertThat(repository.resolveLatest("m").manifest().version()).isEqualTo("10");
    }

    @Test
    void onlyFoldersWithAManifestCount() throws Exception {
        version("b-model", "1");
        version("a-model", "1");
        Files.createDirectories(root.resolve("empty-model/1"));
        Files.createDirectories(root.resolve("b-model/2-unfinished"));
        Files.createDirectories(root.resolve(".hidden/1"));
        Files.writeString(root.resolve("README.md"), "not a model");
        ModelRepository repository = ModelRepository.at(root);

        assertThat(repository.models()).containsExactly("a-model", "b-model");
        assertThat(repository.versions("b-model")).containsExactly("1");
    }

    @Test
    void resolveReadsTheManifest() {
        version("m", "7");
        ModelLocation location = ModelRepository.at(root).resolve("m", "7");

        assertThat(location.directory()).isEqualTo(root.resolve("m/7"));
        assertThat(location.manifest().name()).isEqualTo("m");
        assertThat(location.artifactPath()).isEqualTo(root.resolve("m/7/model.pt"));
    }

    @Test
    void missingModelListsTheAvailableOnes() {
        version("fraud", "1");
        version("intent", "1");
        ModelRepository repository = ModelRepository.at(root);

        assertThatThrownBy(() -> repository.resolve("churn", "1"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("no model 'churn'")
                .hasMessageContaining("available models: [fraud, intent]");
        assertThatThrownBy(() -> repository.latestVersion("churn"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("available models: [fraud, intent]");
    }

    @Test
    void missingVersionListsTheAvailableOnes() {
        version("fraud", "1");
        version("fraud", "2");
        ModelRepository repository = ModelRepository.at(root);

        assertThatThrownBy(() -> repository.resolve("fraud", "3"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("model 'fraud' has no version '3'")
                .hasMessageContaining("available versions: [1, 2]");
    }

    @Test
    void namesCannotEscapeTheRoot() {
        version("fraud", "1");
        ModelRepository repository = ModelRepository.at(root);

        assertThatThrownBy(() -> repository.resolve("..", "1"))
                .isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> repository.resolve("fraud", "../fraud/1"))
                .isInstanceOf(ModelNotFoundException.class);
    }

    @Test
    void manifestMustMatchItsFolders() {
        manifest("fraud", "1", "intent", "1");
        manifest("fraud", "2", "fraud", "3");
        ModelRepository repository = ModelRepository.at(root);

        assertThatThrownBy(() -> repository.resolve("fraud", "1"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(root.resolve("fraud/1/manifest.json").toString())
                .hasMessageContaining("declares name 'intent' but lives in model folder 'fraud'");
        assertThatThrownBy(() -> repository.resolve("fraud", "2"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("declares version '3' but lives in version folder '2'");
    }

    @Test
    void rootMustBeADirectory() throws Exception {
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatThrownBy(() -> ModelRepository.at(file))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> ModelRepository.at(root.resolve("absent")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void realRepositoryResolvesBothModels() {
        ModelRepository repository = TestModels.repository();
        assertThat(repository.models()).contains(TestModels.FRAUD, TestModels.INTENT);
        assertThat(repository.versions(TestModels.FRAUD)).startsWith("1", "2");
        assertThat(repository.resolve(TestModels.INTENT, "1").manifest().input().shape())
                .containsExactly(16, 11);
    }
}
