package io.scorestream.operators.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Copies of the reference model repository for tests to publish from, break and compare. */
public final class RepositoryCopies {

    private RepositoryCopies() {}

    /** Copies {@code model/version} folders of the reference repository into {@code root}. */
    public static Path copy(Path root, String... modelSlashVersions) {
        for (String modelSlashVersion : modelSlashVersions) {
            Path source = ReferenceModels.root().resolve(modelSlashVersion);
            Path target = root.resolve(modelSlashVersion);
            try (Stream<Path> files = Files.list(source)) {
                Files.createDirectories(target);
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /**
     * Copies {@code model/fromVersion} of the reference repository into {@code root} as {@code
     * model/toVersion}, its manifest naming the new version (checksums unchanged, so the files
     * still match them).
     */
    public static Path copyAs(Path root, String model, String fromVersion, String toVersion) {
        Path target = root.resolve(model).resolve(toVersion);
        try (Stream<Path> files =
                Files.list(ReferenceModels.root().resolve(model).resolve(fromVersion))) {
            Files.createDirectories(target);
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
            Path manifest = target.resolve("manifest.json");
            Files.writeString(
                    manifest,
                    Files.readString(manifest)
                            .replaceFirst(
                                    "\"version\"\\s*:\\s*\"" + fromVersion + "\"",
                                    "\"version\": \"" + toVersion + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Flips every bit of one byte in the middle of a file. */
    public static void flipAByte(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= (byte) 0xFF;
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path under {@code folder}, relative to it, sorted; empty when it does not exist. */
    public static List<String> tree(Path folder) {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(p -> !p.equals(folder))
                    .map(p -> folder.relativize(p).toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
