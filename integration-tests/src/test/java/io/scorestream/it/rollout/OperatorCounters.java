package io.scorestream.it.rollout;

import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.util.FlinkException;

/**
 * The rollout counters of one operator of a job (the session featurizer, the rollback guard), per
 * subtask, from the MiniCluster's in-memory metric reporter.
 *
 * <p>A control record reaches every featurizer subtask on its own broadcast channel, not in order
 * with the events: a test that needs events routed by a new rollout waits here until every subtask
 * has applied (or refused) it, then publishes the events.
 */
final class OperatorCounters {

    /** The operator that routes events by the rollout in force. */
    static final String FEATURIZER = "Session featurizer";

    /** The rollback guard. */
    static final String GUARD = "Rollout guard";

    /** Control records the operator made the rollout in force ({@code RolloutUpdates}). */
    static final String APPLIED = "rolloutsApplied";

    /** Rollouts the operator refused: a version they named could not be admitted. */
    static final String REFUSED = "rolloutsRefused";

    private static final long POLL_MILLIS = 50;
    private static final int POLLS = 1_200; // a minute

    private final InMemoryReporter reporter;
    private final JobID job;
    private final String operator;
    private final int parallelism;

    OperatorCounters(InMemoryReporter reporter, JobID job, String operator, int parallelism) {
        this.reporter = reporter;
        this.job = job;
        this.operator = operator;
        this.parallelism = parallelism;
    }

    /** The counter on each subtask, by subtask index; empty until the subtasks have opened. */
    List<Long> perSubtask(String counter) {
        return reporter.findOperatorMetricGroups(job, operator).stream()
                .map(group -> count(group, counter))
                .toList();
    }

    /** Waits until each of the operator's subtasks counts at least {@code count}. */
    void awaitOnEverySubtask(String counter, long count) throws Exception {
        try {
            CommonTestUtils.waitUntilCondition(
                    () -> {
                        List<Long> counts = perSubtask(counter);
                        return counts.size() == parallelism
                                && counts.stream().allMatch(c -> c >= count);
                    },
                    POLL_MILLIS,
                    POLLS);
        } catch (FlinkException e) {
            throw new AssertionError(
                    operator
                            + " subtasks of "
                            + job
                            + " did not reach "
                            + counter
                            + " "
                            + count
                            + " in a minute: "
                            + perSubtask(counter),
                    e);
        }
    }

    private long count(OperatorMetricGroup group, String counter) {
        Metric metric = reporter.getMetricsByGroup(group).get(counter);
        return metric == null ? 0 : ((Counter) metric).getCount();
    }
}
