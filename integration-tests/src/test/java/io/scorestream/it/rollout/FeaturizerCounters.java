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
 * The session featurizer's rollout counters in one job, per subtask, from the MiniCluster's
 * in-memory metric reporter.
 *
 * <p>A control record reaches every featurizer subtask on its own broadcast channel, not in order
 * with the events: a test that needs events routed by a new rollout waits here until every subtask
 * has applied (or refused) it, then publishes the events.
 */
final class FeaturizerCounters {

    /** Control records the featurizer made the rollout in force ({@code RolloutUpdates}). */
    static final String APPLIED = "rolloutsApplied";

    /** Rollouts the featurizer refused: a version it named could not be admitted. */
    static final String REFUSED = "rolloutsRefused";

    private static final String OPERATOR = "Session featurizer";
    private static final long POLL_MILLIS = 50;
    private static final int POLLS = 1_200; // a minute

    private final InMemoryReporter reporter;
    private final JobID job;
    private final int parallelism;

    FeaturizerCounters(InMemoryReporter reporter, JobID job, int parallelism) {
        this.reporter = reporter;
        this.job = job;
        this.parallelism = parallelism;
    }

    /** The counter on each subtask, by subtask index; empty until the subtasks have opened. */
    List<Long> perSubtask(String counter) {
        return reporter.findOperatorMetricGroups(job, OPERATOR).stream()
                .map(group -> count(group, counter))
                .toList();
    }

    /** Waits until each of the job's featurizer subtasks counts at least {@code count}. */
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
                    "featurizer subtasks of "
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
