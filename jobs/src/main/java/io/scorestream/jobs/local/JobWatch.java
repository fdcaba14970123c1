package io.scorestream.jobs.local;

import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;

/**
 * Watches a job on a {@link LocalFlinkCluster} for the ends it does not come back from: the job
 * reached a terminal state, or the cluster lost its TaskManager. A local cluster starts no other
 * TaskManager, so without one the job would wait for slots, restarting, forever.
 */
public final class JobWatch {

    /** Why a job can no longer run. */
    public enum Reason {
        /** The local TaskManager stopped after a fatal error (a task that would not stop, say). */
        TASK_MANAGER_LOST,
        /** The job reached a terminal state (failed for good, cancelled or finished). */
        JOB_ENDED
    }

    /**
     * @param reason why the job can no longer run
     * @param status the job's status when that was seen
     * @param lastFailure the job's last failure, when it had one
     */
    public record Ending(Reason reason, JobStatus status, Optional<String> lastFailure) {}

    private final LocalFlinkCluster cluster;
    private final JobID job;
    private boolean sawTaskManager;

    public JobWatch(LocalFlinkCluster cluster, JobID job) {
        this.cluster = cluster;
        this.job = job;
    }

    /** How the job ended, or empty while it may still run. */
    public Optional<Ending> check() throws Exception {
        int taskManagers = cluster.taskManagers();
        // The TaskManager registers with the cluster after it starts: only a lost one counts.
        sawTaskManager |= taskManagers > 0;
        JobStatus status = cluster.status(job);
        if (status.isGloballyTerminalState()) {
            return Optional.of(new Ending(Reason.JOB_ENDED, status, failure(status)));
        }
        if (sawTaskManager && taskManagers == 0) {
            return Optional.of(new Ending(Reason.TASK_MANAGER_LOST, status, failure(status)));
        }
        return Optional.empty();
    }

    private Optional<String> failure(JobStatus status) throws Exception {
        return status == JobStatus.FINISHED || status == JobStatus.CANCELED
                ? Optional.empty()
                : cluster.lastFailure(job);
    }
}
