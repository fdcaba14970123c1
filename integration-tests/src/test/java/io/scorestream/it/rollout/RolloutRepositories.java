package io.scorestream.it.rollout;

import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Model repositories for the live-rollout tests: a copy of the reference models, plus versions the
 * reference repository must never hold (a garbage candidate, a corrupt artifact).
 */
final class RolloutRepositories {

    /** The garbage candidate's test fixture, a repository holding only fraud-mlp version 3. */
    static final String GARBAGE_CANDIDATE = "/fixtures/garbage-candidate";

    private RolloutRepositories() {}

    /** Copies every version of every reference model into {@code target}; returns it. */
    static Path referenceCopy(Path target) throws IOException {
        ModelRepository reference = ModelRepository.at(ReferenceModels.root());
        for (String model : reference.models()) {
            for (String version : reference.versions(model)) {
                copyVersion(
                        reference.resolve(model, version).directory(),
                        target.resolve(model).resolve(version));
            }
        }
        return target;
    }

    /**
     * Adds the committed garbage candidate, fraud-mlp version 3 (made by {@code models/generate.sh
     * --garbage-candidate}: untrained, every score about 0.997).
     */
    static void addGarbageCandidate(Path repository) throws IOException {
        URL fixture = RolloutRepositories.class.getResource(GARBAGE_CANDIDATE);
        if (fixture == null) {
            throw new IllegalStateException("no " + GARBAGE_CANDIDATE + " on the test classpath");
        }
        try {
            Path root = Path.of(fixture.toURI());
            copyVersion(
                    root.resolve("fraud-mlp").resolve("3"),
                    repository.resolve("fraud-mlp").resolve("3"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds {@code model} version {@code as}: a copy of version {@code from} under a manifest that
     * names {@code as}, with one byte of its TorchScript file flipped, so that file no longer
     * matches the checksum its manifest lists.
     */
    static void addCorruptCopy(Path repository, String model, String from, String as)
            throws IOException {
        Path corrupt = repository.resolve(model).resolve(as);
        copyVersion(repository.resolve(model).resolve(from), corrupt);
        Path manifest = corrupt.resolve(ModelRepository.MANIFEST_FILE);
        Files.writeString(
                manifest,
                Files.readString(manifest)
                        .replaceFirst(
                                "\"version\"\\s*:\\s*\"" + from + "\"",
                                "\"version\": \"" + as + "\""));
        Path artifact = corrupt.resolve("model.pt");
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(artifact, bytes);
    }

    private static void copyVersion(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            files.filter(Files::isRegularFile)
                    .forEach(
                            file -> {
                                try {
                                    Files.copy(file, to.resolve(file.getFileName()));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
    }
}
