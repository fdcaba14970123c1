package io.scorestream.jobs.local;

import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

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
        return cluster.submitJob(env.getStreamGraph()).get().getJobID();
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

    private boolean allTasksRunning(JobID job) throws Exception {
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
}
