package io.scorestream.it.rollout;

import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.testing.RepositoryCopies;
import java.io.IOException;
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
    static Path referenceCopy(Path target) {
        ModelRepository reference = ModelRepository.at(ReferenceModels.root());
        for (String model : reference.models()) {
            for (String version : reference.versions(model)) {
                RepositoryCopies.copy(target, model + "/" + version);
            }
        }
        return target;
    }

    /**
     * Adds the committed garbage candidate, fraud-mlp version 3 (made by {@code models/generate.sh
     * --garbage-candidate}: untrained, every score about 0.997).
     */
    static void addGarbageCandidate(Path repository) throws IOException, URISyntaxException {
        URL fixture = RolloutRepositories.class.getResource(GARBAGE_CANDIDATE);
        if (fixture == null) {
            throw new IllegalStateException("no " + GARBAGE_CANDIDATE + " on the test classpath");
        }
        Path version = Path.of(fixture.toURI()).resolve("fraud-mlp").resolve("3");
        Path target = Files.createDirectories(repository.resolve("fraud-mlp").resolve("3"));
        try (Stream<Path> files = Files.list(version)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
    }

    /**
     * Adds {@code model} version {@code as}: the reference version {@code from} under a manifest
     * that names {@code as}, with one byte of its TorchScript file flipped, so that file no longer
     * matches the checksum its manifest lists.
     */
    static void addCorruptCopy(Path repository, String model, String from, String as) {
        Path copy = RepositoryCopies.copyAs(repository, model, from, as);
        RepositoryCopies.flipAByte(copy.resolve("model.pt"));
    }
}
