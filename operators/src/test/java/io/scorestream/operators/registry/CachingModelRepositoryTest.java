package io.scorestream.operators.registry;

import static io.scorestream.operators.testing.RepositoryCopies.bytes;
import static io.scorestream.operators.testing.RepositoryCopies.copy;
import static io.scorestream.operators.testing.RepositoryCopies.flipAByte;
import static io.scorestream.operators.testing.RepositoryCopies.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.scorestream.model.CachingModelRepository;
import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelCatalog;
import io.scorestream.model.ModelIntegrityException;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelLocation;
import io.scorestream.model.ModelNotFoundException;
import io.scorestream.model.ModelRepository;
import io.scorestream.model.RepositoryFiles;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.testing.ReferenceModels;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caching repository over Flink's local filesystem, through a {@code file://} URI, on copies of
 * the real reference models.
 */
class CachingModelRepositoryTest {

    @TempDir Path remote;
    @TempDir Path cacheDir;

    private String uri;

    @BeforeEach
    void publish() {
        copy(remote, "fraud-mlp/1", "fraud-mlp/2", "intent-gru/1");
        uri = remote.toUri().toString();
    }

    private CachingModelRepository open() {
        return (CachingModelRepository) ModelCatalogs.open(uri, cacheDir);
    }

    @Test
    void listsTheRemoteRepositoryLikeALocalOne() {
        ModelCatalog catalog = open();

        assertThat(catalog.models()).containsExactly("fraud-mlp", "intent-gru");
        assertThat(catalog.versions("fraud-mlp")).containsExactly("1", "2");
        assertThat(catalog.latestVersion("fraud-mlp")).isEqualTo("2");
        assertThat(tree(cacheDir)).as("listing fetches nothing").isEmpty();
    }

    @Test
    void fetchesAVersionWithIdenticalBytesVerifiedAndNothingElse() {
        CachingModelRepository catalog = open();

        ModelLocation location = catalog.resolve("fraud-mlp", "1");

        Path expected = catalog.cache().resolve("fraud-mlp").resolve("1");
        assertThat(location.directory()).isEqualTo(expected);
        assertThat(catalog.cache().getParent()).isEqualTo(cacheDir.toAbsolutePath());
        ModelLocation original =
                ModelRepository.at(ReferenceModels.root()).resolve("fraud-mlp", "1");
        assertThat(location.manifest()).isEqualTo(original.manifest());
        assertThat(tree(expected))
                .containsExactlyInAnyOrder(
                        "manifest.json", "model.pt", "model.onnx", "golden.json");
        for (String file : tree(expected)) {
            assertThat(bytes(expected.resolve(file)))
                    .as(file)
                    .isEqualTo(bytes(original.directory().resolve(file)));
        }
        assertThat(tree(catalog.cache()))
                .as("only the version folder, no work folder left")
                .containsExactly(
                        "fraud-mlp",
                        "fraud-mlp/1",
                        "fraud-mlp/1/golden.json",
                        "fraud-mlp/1/manifest.json",
                        "fraud-mlp/1/model.onnx",
                        "fraud-mlp/1/model.pt");
    }

    @Test
    void aCachedVersionIsReusedAndReverified() throws IOException {
        CachingModelRepository catalog = open();
        Path cached = catalog.resolve("fraud-mlp", "1").directory();

        Files.delete(remote.resolve("fraud-mlp/1/model.pt"));
        assertThat(open().resolve("fraud-mlp", "1").directory())
                .as("served from the cache without reading the store")
                .isEqualTo(cached);

        flipAByte(cached.resolve("model.pt"));
        assertThatThrownBy(() -> open().resolve("fraud-mlp", "1"))
                .as("the damaged copy is dropped and fetched again, which now fails")
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessage(
                        "model fraud-mlp v1: missing file "
                                + remote.resolve("fraud-mlp/1/model.pt").toUri()
                                + " listed in its manifest; nothing was cached");
        assertThat(tree(catalog.cache())).containsExactly("fraud-mlp");
    }

    @Test
    void aDamagedCachedCopyIsReplacedByAFreshOne() {
        CachingModelRepository catalog = open();
        Path cached = catalog.resolve("fraud-mlp", "2").directory();
        flipAByte(cached.resolve("model.onnx"));

        ModelLocation again = open().resolve("fraud-mlp", "2");

        assertThat(again.directory()).isEqualTo(cached);
        assertThat(bytes(cached.resolve("model.onnx")))
                .isEqualTo(bytes(remote.resolve("fraud-mlp/2/model.onnx")));
    }

    @Test
    void aCorruptCopyIsRejectedLeavingNothingAndTheCachedVersionStillLoads() throws Exception {
        CachingModelRepository catalog = open();
        catalog.resolve("fraud-mlp", "1");
        flipAByte(remote.resolve("fraud-mlp/2/model.pt"));

        assertThatThrownBy(() -> catalog.resolve("fraud-mlp", "2"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageStartingWith(
                        "model fraud-mlp v2: checksum mismatch for "
                                + remote.resolve("fraud-mlp/2/model.pt").toUri()
                                + ": expected sha256 ")
                .hasMessageEndingWith("; nothing was cached");

        assertThat(tree(catalog.cache()))
                .as("no fraud-mlp/2 folder, no work folder")
                .allSatisfy(path -> assertThat(path).doesNotContain("fraud-mlp/2", ".fetch"));
        assertThat(catalog.cache().resolve("fraud-mlp/2")).doesNotExist();

        ModelLocation serving = catalog.resolve("fraud-mlp", "1");
        JsonObject golden = ReferenceModels.modelGolden("fraud-mlp", "1");
        float[][] inputs = ReferenceModels.rows(golden.getAsJsonArray("inputs"));
        float[] expected = ReferenceModels.floats(golden.getAsJsonArray("scores"));
        try (ScoringModel model = ModelLoader.load(serving, LoadOptions.defaults())) {
            float[][] scores = model.predict(inputs);
            for (int i = 0; i < inputs.length; i++) {
                assertThat(scores[i][0]).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    void aMalformedManifestIsRejectedNamingItsUri() throws IOException {
        Files.writeString(remote.resolve("fraud-mlp/2/manifest.json"), "{\"name\": \"fraud-mlp\",");
        CachingModelRepository catalog = open();

        assertThatThrownBy(() -> catalog.resolve("fraud-mlp", "2"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageStartingWith(
                        "invalid manifest "
                                + remote.resolve("fraud-mlp/2/manifest.json").toUri()
                                + ": malformed JSON");
        assertThat(tree(catalog.cache())).isEmpty();
    }

    @Test
    void aManifestOfAnotherVersionIsRejected() throws IOException {
        Path manifest = remote.resolve("fraud-mlp/2/manifest.json");
        Files.writeString(
                manifest,
                Files.readString(manifest).replace("\"version\": \"2\"", "\"version\": \"3\""));

        assertThatThrownBy(() -> open().resolve("fraud-mlp", "2"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessage(
                        "manifest "
                                + manifest.toUri()
                                + " declares version '3' but lives in version folder '2'");
        assertThat(tree(open().cache())).isEmpty();
    }

    @Test
    void missingModelsAndVersionsAreNotFoundListingWhatExists() {
        CachingModelRepository catalog = open();
        String root = remote.toUri().toString().replaceAll("/$", "");

        assertThatThrownBy(() -> catalog.resolve("fraud-mlp", "9"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage(
                        "model 'fraud-mlp' has no version '9' in "
                                + root
                                + "; available versions: [1, 2]");
        assertThatThrownBy(() -> catalog.resolve("churn", "1"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage(
                        "no model 'churn' in "
                                + root
                                + "; available models: [fraud-mlp, intent-gru]");
        assertThatThrownBy(() -> catalog.resolve("fraud-mlp", "../1"))
                .isInstanceOf(ModelNotFoundException.class);
        assertThat(tree(catalog.cache())).isEmpty();
    }

    @Test
    void theManifestAloneIsReadWithoutFetchingTheModel() {
        CachingModelRepository catalog = open();

        assertThat(catalog.manifest("intent-gru", "1"))
                .isEqualTo(
                        ModelRepository.at(ReferenceModels.root())
                                .resolve("intent-gru", "1")
                                .manifest());
        assertThat(tree(catalog.cache())).isEmpty();
    }

    @Test
    void aDamagedCachedManifestIsReadFromTheStoreInstead() throws IOException {
        CachingModelRepository catalog = open();
        Path cached = catalog.resolve("intent-gru", "1").directory();
        Files.writeString(cached.resolve("manifest.json"), "{");

        assertThat(catalog.manifest("intent-gru", "1").displayName()).isEqualTo("intent-gru v1");
    }

    @Test
    void aCopyBrokenOffHalfwayLeavesNothing() throws IOException {
        RepositoryFiles flaky =
                new CountingFiles(FlinkRepositoryFiles.at(remote.toUri()), null) {
                    @Override
                    public InputStream open(String path) throws IOException {
                        InputStream in = super.open(path);
                        return path.endsWith("model.onnx") ? new BreaksAfter(in, 1000) : in;
                    }
                };
        CachingModelRepository catalog =
                new CachingModelRepository(flaky, cacheDir.resolve("flaky"));

        assertThatThrownBy(() -> catalog.resolve("fraud-mlp", "1"))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining(
                        "cannot copy " + remote.resolve("fraud-mlp/1/model.onnx").toUri())
                .hasMessageContaining("connection reset");
        assertThat(tree(cacheDir.resolve("flaky"))).isEmpty();
    }

    @Test
    void twoThreadsResolvingOneVersionFetchItOnce() throws Exception {
        CountingFiles files =
                new CountingFiles(FlinkRepositoryFiles.at(remote.toUri()), "fraud-mlp/1/model.pt");
        Path cache = cacheDir.resolve("shared");
        // Two instances, as two operators of one TaskManager would open them.
        CachingModelRepository first = new CachingModelRepository(files, cache);
        CachingModelRepository second = new CachingModelRepository(files, cache);
        AtomicReference<Object> firstResult = new AtomicReference<>();
        AtomicReference<Object> secondResult = new AtomicReference<>();

        Thread a = resolving(first, firstResult);
        a.start();
        assertThat(files.gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        Thread b = resolving(second, secondResult);
        b.start();
        awaitBlocked(b); // waiting for the first fetch, mid-copy
        files.gateRelease.countDown();
        a.join(TimeUnit.SECONDS.toMillis(30));
        b.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(firstResult.get()).isInstanceOf(ModelLocation.class);
        assertThat(secondResult.get()).isEqualTo(firstResult.get());
        assertThat(files.opens)
                .as("each file read from the store once")
                .containsEntry("fraud-mlp/1/model.pt", 1)
                .containsEntry("fraud-mlp/1/manifest.json", 1);
        assertThat(tree(cache)).noneMatch(path -> path.contains(".fetch"));
    }

    private static Thread resolving(
            CachingModelRepository catalog, AtomicReference<Object> result) {
        return new Thread(
                () -> {
                    try {
                        result.set(catalog.resolve("fraud-mlp", "1"));
                    } catch (RuntimeException e) {
                        result.set(e);
                    }
                });
    }

    private static void awaitBlocked(Thread thread) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (thread.getState() != Thread.State.BLOCKED) {
            assertThat(Instant.now())
                    .as("%s blocked on the version's lock", thread)
                    .isBefore(deadline);
            Thread.onSpinWait();
        }
    }

    /** Counts the files opened; the first open of {@code gated} waits until released. */
    private static class CountingFiles implements RepositoryFiles {
        final RepositoryFiles delegate;
        final String gated;
        final Map<String, Integer> opens = new ConcurrentHashMap<>();
        final CountDownLatch gateEntered = new CountDownLatch(1);
        final CountDownLatch gateRelease = new CountDownLatch(1);
        private final AtomicInteger gatedOpens = new AtomicInteger();

        CountingFiles(RepositoryFiles delegate, String gated) {
            this.delegate = delegate;
            this.gated = gated;
        }

        @Override
        public List<Entry> list(String path) throws IOException {
            return delegate.list(path);
        }

        @Override
        public InputStream open(String path) throws IOException {
            opens.merge(path, 1, Integer::sum);
            if (path.equals(gated) && gatedOpens.getAndIncrement() == 0) {
                gateEntered.countDown();
                try {
                    if (!gateRelease.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("the test never released the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            return delegate.open(path);
        }

        @Override
        public boolean exists(String path) throws IOException {
            return delegate.exists(path);
        }

        @Override
        public String uri(String path) {
            return delegate.uri(path);
        }
    }

    /** A stream that fails like a dropped connection after {@code limit} bytes. */
    private static final class BreaksAfter extends FilterInputStream {
        private long left;

        BreaksAfter(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                throw new IOException("connection reset");
            }
            int n = super.read(buffer, offset, (int) Math.min(length, left));
            left -= Math.max(n, 0);
            return n;
        }
    }
}
