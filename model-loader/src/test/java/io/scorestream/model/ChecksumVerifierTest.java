package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tampered copies of a real model version are refused, by the verifier and by the loader. */
class ChecksumVerifierTest {

    @TempDir Path root;
    private Path versionDir;

    @BeforeEach
    void copyRealVersion() {
        versionDir = TestModels.copyVersion(root, TestModels.FRAUD, "1");
    }

    private ModelLocation location() {
        return ModelRepository.at(root).resolve(TestModels.FRAUD, "1");
    }

    @Test
    void intactCopyVerifies() {
        assertThatCode(() -> ChecksumVerifier.verify(location())).doesNotThrowAnyException();
    }

    @Test
    void missingArtifactIsRefused() throws IOException {
        Files.delete(versionDir.resolve("model.pt"));
        ModelLocation location = location();

        assertThatThrownBy(() -> ChecksumVerifier.verify(location))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("fraud-mlp v1")
                .hasMessageContaining("missing file " + versionDir.resolve("model.pt"));
        assertThatThrownBy(() -> ModelLoader.load(location, LoadOptions.defaults()))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("missing file");
    }

    @Test
    void flippedByteIsRefusedWithExpectedAndActualHashes() throws Exception {
        Path artifact = versionDir.resolve("model.pt");
        flipByte(artifact, Files.size(artifact) / 2);
        ModelLocation location = location();
        String expected = location.manifest().files().get("model.pt");
        String actual = sha256(artifact);
        assertThat(actual).isNotEqualTo(expected);

        assertThatThrownBy(() -> ChecksumVerifier.verify(location))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("checksum mismatch for " + artifact)
                .hasMessageContaining("expected sha256 " + expected)
                .hasMessageContaining("actual " + actual);
        assertThatThrownBy(() -> ModelLoader.load(location, LoadOptions.defaults()))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void everyListedFileIsChecked() throws IOException {
        flipByte(versionDir.resolve("golden.json"), 0);
        ModelLocation location = location();
        assertThatThrownBy(() -> ChecksumVerifier.verify(location))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("golden.json");
    }

    @Test
    void streamingDigestMatchesAOneShotDigest() throws Exception {
        Path big = root.resolve("big.bin");
        byte[] content = new byte[200_000 + 17];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Files.write(big, content);
        assertThat(ChecksumVerifier.sha256(big))
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
