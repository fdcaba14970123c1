package io.scorestream.operators.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.model.CachingModelRepository;
import io.scorestream.model.ModelNotFoundException;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogsTest {

    @TempDir Path cacheDir;

    @Test
    void aPlainPathIsTheLocalRepositoryAndAUriIsCached() {
        Path models = ReferenceModels.root();

        assertThat(ModelCatalogs.open(models.toString(), cacheDir))
                .isInstanceOf(ModelRepository.class);
        assertThat(ModelCatalogs.open(models.toUri().toString(), cacheDir))
                .isInstanceOf(CachingModelRepository.class);
        assertThat(ModelCatalogs.open("file:" + models, cacheDir))
                .isInstanceOf(CachingModelRepository.class);
    }

    @Test
    void eachRemoteRepositoryHasItsOwnCacheFolder() {
        CachingModelRepository a =
                (CachingModelRepository) ModelCatalogs.open("file:///srv/models-a", cacheDir);
        CachingModelRepository b =
                (CachingModelRepository) ModelCatalogs.open("file:///srv/models-b", cacheDir);
        CachingModelRepository aAgain =
                (CachingModelRepository) ModelCatalogs.open("file:///srv/models-a/", cacheDir);

        assertThat(a.cache().getParent()).isEqualTo(cacheDir);
        assertThat(a.cache()).isNotEqualTo(b.cache()).isEqualTo(aAgain.cache());
        assertThat(ModelCatalogs.cacheFolderOf(URI.create("s3://Bucket_1/models/prod")))
                .matches("s3-bucket-1-[0-9a-f]{16}");
    }

    @Test
    void aSchemeNoFlinkFilesystemServesIsRejectedClearly() {
        assertThat(ModelCatalogs.problem("nosuchfs://bucket/models"))
                .hasValueSatisfying(
                        problem ->
                                assertThat(problem)
                                        .startsWith(
                                                "no Flink filesystem can read"
                                                        + " nosuchfs://bucket/models (scheme"
                                                        + " 'nosuchfs'): ")
                                        .contains("nosuchfs"));
        assertThatThrownBy(() -> ModelCatalogs.open("nosuchfs://bucket/models", cacheDir))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageStartingWith(
                        "cannot read the model repository nosuchfs://bucket/models: ");
    }

    @Test
    void aPlainPathMustBeAFolderAndAFileUriIsFine() {
        assertThat(ModelCatalogs.problem("/no/such/repository"))
                .hasValue("no model repository folder at /no/such/repository");
        assertThat(ModelCatalogs.problem(ReferenceModels.root().toString())).isEmpty();
        assertThat(ModelCatalogs.problem(ReferenceModels.root().toUri().toString())).isEmpty();
    }

    @Test
    void pathsAreMadeAbsoluteAndUrisKept() {
        assertThat(ModelCatalogs.normalize("models/../models"))
                .isEqualTo(Path.of("models").toAbsolutePath().normalize().toString());
        assertThat(ModelCatalogs.normalize("s3://bucket/models")).isEqualTo("s3://bucket/models");
        assertThat(ModelCatalogs.remoteUri("C:\\models")).as("a Windows drive").isEmpty();
        assertThat(ModelCatalogs.remoteUri("models")).isEmpty();
    }

    @Test
    void theCacheDefaultsToAFolderInTheTempDirectory() {
        assertThat(ModelCatalogs.cacheDirectory(""))
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "scorestream-models"));
        assertThat(ModelCatalogs.cacheDirectory("/var/cache/models"))
                .isEqualTo(Path.of("/var/cache/models"));
    }
}
