package io.scorestream.it.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Flink cluster of separate JVMs on this machine, driven through {@code bin/scorestream-cluster}
 * (the same commands the README gives), on ports of its own, and its REST API.
 */
final class StandaloneCluster implements AutoCloseable {

    static final int REST_PORT = 18081;
    private static final int RPC_PORT = 16123;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final HttpClient http = HttpClient.newHttpClient();

    private StandaloneCluster(Path home) {
        this.home = home;
    }

    /** Runs {@code bin/scorestream-cluster start ARGS} and returns once every TaskManager is in. */
    static StandaloneCluster start(List<String> args) throws Exception {
        Path home = Path.of(System.getProperty("scorestream.cluster.home"));
        StandaloneCluster cluster = new StandaloneCluster(home);
        cluster.run("stop"); // a cluster left behind by an aborted run
        List<String> command = new ArrayList<>(List.of("start"));
        command.addAll(args);
        cluster.run(command.toArray(String[]::new));
        return cluster;
    }

    static Path jobJar() {
        return Path.of(System.getProperty("scorestream.job.jar"));
    }

    Path home() {
        return home;
    }

    /** Runs the cluster script with {@code args}; fails with its output if it fails. */
    String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(DeploymentFiles.root().resolve("bin/scorestream-cluster").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("SCORESTREAM_CLUSTER_HOME", home.toString());
        env.put("SCORESTREAM_CLUSTER_REST_PORT", String.valueOf(REST_PORT));
        env.put("SCORESTREAM_CLUSTER_RPC_PORT", String.valueOf(RPC_PORT));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(
                    "bin/scorestream-cluster " + String.join(" ", args) + " failed:\n" + output);
        }
        return output;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + REST_PORT + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** The id of the only job that is not finished, once there is one. */
    String awaitJob(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode job : get("/jobs/overview").path("jobs")) {
                if (!List.of("FINISHED", "CANCELED", "FAILED")
                        .contains(job.path("state").asText())) {
                    return job.path("jid").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no job on the cluster after " + timeout + "; logs in " + home);
    }

    /** Whether every task of every vertex of {@code job} is RUNNING at {@code parallelism}. */
    boolean runningAt(String job, int parallelism) throws Exception {
        JsonNode details = get("/jobs/" + job);
        if (!details.path("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode vertex : details.path("vertices")) {
            if (vertex.path("parallelism").asInt() != parallelism
                    || vertex.path("tasks").path("RUNNING").asInt() != parallelism) {
                return false;
            }
        }
        return true;
    }

    int taskManagers() throws Exception {
        return get("/overview").path("taskmanagers").asInt();
    }

    /** Polls {@code condition} every 50 ms; returns when it held, as System.nanoTime(). */
    long await(String what, Duration timeout, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + " did not happen within " + timeout + "; logs in " + home);
    }

    /** A condition that may call the REST API. */
    interface Check {
        boolean holds() throws Exception;
    }

    /** Lines of the JobManager's log that match. */
    List<String> jobManagerLog(Predicate<String> filter) throws IOException {
        return Files.readAllLines(home.resolve("log/jobmanager.log")).stream()
                .filter(filter)
                .toList();
    }

    @Override
    public void close() throws Exception {
        run("stop");
    }
}
