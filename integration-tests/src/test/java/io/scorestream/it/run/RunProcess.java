package io.scorestream.it.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code bin/scorestream run} in a process of its own, as a user starts it: its output is collected
 * line by line so a test can wait for a line, and it can be killed or stopped by signal. The
 * launcher runs on this JVM's classpath ({@code SCORESTREAM_CLASSPATH}) instead of building the
 * project, and keeps its logs and temporary files in {@code stateDir}.
 */
final class RunProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private RunProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readOutput, "run-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    static RunProcess start(Path root, Path stateDir, List<String> runArguments)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "bin/scorestream", "run"));
        command.addAll(runArguments);
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("SCORESTREAM_CLASSPATH", System.getProperty("java.class.path"));
        env.put("SCORESTREAM_STATE_DIR", stateDir.toString());
        env.put("SCORESTREAM_JAVA_OPTS", "-Xmx1g");
        return new RunProcess(builder.start());
    }

    /** The first line (since the start) that {@code matches}; fails after {@code timeout}. */
    String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError(
                            "no such line within " + timeout + "; the output:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    /** Everything the process printed so far. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no savepoint, no clean-up, as when a machine or the OOM killer ends it. */
    void kill() throws InterruptedException {
        // Through the handle: Process.destroy* also closes the output, losing its last lines.
        process.toHandle().destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as {@code kill <pid>} sends; returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("did not stop within " + timeout + ":\n" + output());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    private void readOutput() {
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
