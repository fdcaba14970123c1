package io.scorestream.jobs.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink cluster inside this JVM (one TaskManager) that can say when a job's tasks are all up: a
 * task turns RUNNING only after its operators opened, i.e. after the model loaded.
 */
public final class LocalFlinkCluster implements AutoCloseable {

    private final MiniCluster cluster;

    private LocalFlinkCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts a cluster of one TaskManager with {@code slots} slots; RocksDB gets {@link
     * LocalMemory}'s managed memory unless {@code conf} sizes it.
     */
    public static LocalFlinkCluster start(Configuration conf, int slots) throws Exception {
        Configuration local = LocalMemory.sized(conf, slots);
        if (!local.contains(RestOptions.BIND_PORT)) {
            // Any free port: a Flink already running on this machine usually holds 8081.
            local.set(RestOptions.BIND_PORT, "0");
        }
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(local)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return new LocalFlinkCluster(cluster);
    }

    /** Submits the job built in {@code env}. */
    public JobID submit(StreamExecutionEnvironment env) throws Exception {
        return submit(env, SavepointRestoreSettings.none());
    }

    /** Submits the job built in {@code env}, restoring its state as {@code restore} says. */
    public JobID submit(StreamExecutionEnvironment env, SavepointRestoreSettings restore)
            throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setSavepointRestoreSettings(restore);
        return cluster.submitJob(graph).get().getJobID();
    }

    /**
     * TaskManagers connected to the cluster: the one it starts with, until a fatal error (a task
     * that does not stop when cancelled, say) shuts it down. A local cluster never starts another,
     * so without one no job runs again.
     */
    public int taskManagers() throws Exception {
        return cluster.requestClusterOverview().get().getNumTaskManagersConnected();
    }

    /** Why {@code job} last failed, if it did: the root exception's text. */
    public Optional<String> lastFailure(JobID job) throws Exception {
        ErrorInfo failure = cluster.getExecutionGraph(job).get().getFailureInfo();
        return failure == null ? Optional.empty() : Optional.of(failure.getExceptionAsString());
    }

    /** When the newest completed checkpoint of {@code job} completed, if one has. */
    public Optional<Instant> lastCompletedCheckpoint(JobID job) throws Exception {
        CompletedCheckpointStats latest =
                cluster.getExecutionGraph(job)
                        .get()
                        .getCheckpointStatsSnapshot()
                        .getHistory()
                        .getLatestCompletedCheckpoint();
        return latest == null
                ? Optional.empty()
                : Optional.of(Instant.ofEpochMilli(latest.getLatestAckTimestamp()));
    }

    /**
     * Takes a savepoint of {@code job} under {@code directory} and stops it (its sinks commit what
     * they wrote); returns the savepoint's path.
     */
    public String stopWithSavepoint(JobID job, String directory, Duration timeout)
            throws Exception {
        return cluster.stopWithSavepoint(job, directory, false, SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get();
    }

    /** Waits until every task of {@code job} runs; fails if the job ends or time runs out. */
    public void awaitAllTasksRunning(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allTasksRunning(job)) {
            JobStatus status = status(job);
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("job " + job + " ended while starting: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job + " did not start within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Whether every task of {@code job} runs (its operators opened, its model loaded). */
    public boolean allTasksRunning(JobID job) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /** Checkpoints of {@code job} that completed so far. */
    public long completedCheckpoints(JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    /** Checkpoints of {@code job} that failed so far. */
    public long failedCheckpoints(JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfFailedCheckpoints();
    }

    /**
     * The full state size in bytes of {@code job}'s latest completed checkpoint (incremental
     * checkpoints included), or -1 when none completed yet.
     */
    public long latestCheckpointSize(JobID job) throws Exception {
        var latest =
                cluster.getExecutionGraph(job)
                        .get()
                        .getCheckpointStatsSnapshot()
                        .getHistory()
                        .getLatestCompletedCheckpoint();
        return latest == null ? -1 : latest.getStateSize();
    }

    /** Cancels {@code job} and waits until it has stopped. */
    public void cancel(JobID job) throws Exception {
        if (!status(job).isGloballyTerminalState()) {
            cluster.cancelJob(job).get();
            cluster.requestJobResult(job).get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    /**
     * Closes the cluster, waiting at most {@code timeout}: a task thread that never stopped (what
     * makes a TaskManager fail fatally) can keep the shutdown from completing.
     *
     * @return whether it closed in time
     */
    public boolean closeWithin(Duration timeout) throws InterruptedException {
        try {
            cluster.closeAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}
