package io.scorestream.operators.registry;

import io.scorestream.operators.testing.ReferenceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Copies of the reference model repository for tests to publish from, break and compare. */
final class RepositoryCopies {

    private RepositoryCopies() {}

    /** Copies {@code model/version} folders of the reference repository into {@code root}. */
    static Path copy(Path root, String... modelSlashVersions) {
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

    /** Flips every bit of one byte in the middle of a file. */
    static void flipAByte(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= (byte) 0xFF;
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path under {@code folder}, relative to it, sorted; empty when it does not exist. */
    static List<String> tree(Path folder) {
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

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
