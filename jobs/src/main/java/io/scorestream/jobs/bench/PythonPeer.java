package io.scorestream.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The bench's peer, {@code bench/peer.sh}: one Python process doing fraud-mlp's work by hand
 * (consume, decode, session state, featurize, score batches of 64 with TorchScript, produce). This
 * starts it on a case's topics and stops it; its output goes to a log file.
 */
final class PythonPeer implements AutoCloseable {

    /** peer.sh's exit code when its packages are missing and cannot be installed. */
    static final int EXIT_SKIPPED = 3;

    private final Process process;
    private final Path log;

    private PythonPeer(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Where the peer is and what it scores with.
     *
     * @param script {@code bench/peer.sh}
     * @param modelFile fraud-mlp's TorchScript file, the version the job serves
     * @param modelsDir the folder of {@code generate.py}, whose featurizer the peer uses
     * @param logs where each run's output goes
     */
    record Launch(Path script, Path modelFile, String version, Path modelsDir, Path logs) {}

    /** The peer as a Kafka case's contender: one process per run, stopped when it closes. */
    static Contender contender(Launch launch, String bootstrap) {
        return (input, output, runId) -> {
            PythonPeer peer =
                    start(
                            launch.script(),
                            bootstrap,
                            input,
                            output,
                            runId,
                            launch.modelFile(),
                            launch.version(),
                            launch.modelsDir(),
                            launch.logs().resolve(runId + ".log"),
                            Duration.ofMinutes(10));
            return new Contender.Running() {
                @Override
                public StateSize state() {
                    return StateSize.ofProcess(peer.peakRssBytes());
                }

                @Override
                public void close() throws InterruptedException {
                    peer.close();
                }
            };
        };
    }

    /** Thrown when the peer cannot run here; the message says why. */
    static final class Skipped extends Exception {
        private static final long serialVersionUID = 1L;

        Skipped(String message) {
            super(message);
        }
    }

    /**
     * Starts {@code script} scoring {@code input} into {@code output} with {@code modelFile}, and
     * waits until its consumer has its partitions (a first start may install Debian packages).
     */
    private static PythonPeer start(
            Path script,
            String bootstrap,
            String input,
            String output,
            String group,
            Path modelFile,
            String version,
            Path modelsDir,
            Path log,
            Duration timeout)
            throws Exception {
        if (!Files.isRegularFile(script)) {
            throw new Skipped("no peer script at " + script + " (--peer)");
        }
        if (!Files.isRegularFile(modelsDir.resolve("generate.py"))) {
            throw new Skipped("no featurizer at " + modelsDir.resolve("generate.py"));
        }
        Process process =
                new ProcessBuilder(
                                List.of(
                                        "bash",
                                        script.toString(),
                                        "--bootstrap",
                                        bootstrap,
                                        "--input",
                                        input,
                                        "--output",
                                        output,
                                        "--group",
                                        group,
                                        "--model",
                                        modelFile.toString(),
                                        "--version",
                                        version,
                                        "--models-dir",
                                        modelsDir.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        PythonPeer peer = new PythonPeer(process, log);
        try {
            peer.awaitReady(timeout);
        } catch (Exception e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> skip = lineStarting("SKIP:");
            if (skip.isPresent()) {
                process.waitFor(10, TimeUnit.SECONDS);
                throw new Skipped(skip.get().substring("SKIP:".length()).trim());
            }
            if (lineStarting("READY").isPresent()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Python peer exited with "
                                + process.exitValue()
                                + " before it was ready; see "
                                + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the Python peer was not ready within " + timeout + "; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** The process's peak resident memory in bytes (Linux), or -1. */
    long peakRssBytes() {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // not Linux, or the process has ended
        }
        return -1;
    }

    private Optional<String> lineStarting(String prefix) throws IOException {
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith(prefix))
                .findFirst();
    }

    /** Stops the peer (SIGTERM: it flushes its producer and prints its counts), then kills it. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
