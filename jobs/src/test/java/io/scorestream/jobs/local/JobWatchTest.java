package io.scorestream.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A local run must not wait forever for slots after its only TaskManager died: the watch reports
 * the lost TaskManager while the job, restarting, still looks alive, and reports a job that failed
 * for good.
 */
class JobWatchTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    private LocalFlinkCluster flink;

    @AfterEach
    void close() throws Exception {
        StuckWhenCancelled.RELEASED.set(true);
        if (flink != null) {
            flink.closeWithin(Duration.ofSeconds(30));
        }
    }

    @Test
    void aTaskThatWillNotStopKillsTheTaskManagerAndTheWatchSaysSo() throws Exception {
        StuckWhenCancelled.reset();
        Configuration conf = new Configuration();
        // Flink's watchdog declares the TaskManager dead when a cancelled task outlives this.
        conf.set(TaskManagerOptions.TASK_CANCELLATION_TIMEOUT, Duration.ofSeconds(1));
        conf.set(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY, "full");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        flink = LocalFlinkCluster.start(conf, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromSequence(0, Long.MAX_VALUE)
                .map(new StuckWhenCancelled())
                .sinkTo(new DiscardingSink<>());
        env.fromSequence(0, Long.MAX_VALUE).map(new FailOnceStuck()).sinkTo(new DiscardingSink<>());
        JobID job = flink.submit(env);
        JobWatch watch = new JobWatch(flink, job);

        JobWatch.Ending ending = await(watch);

        assertThat(ending.reason()).isEqualTo(JobWatch.Reason.TASK_MANAGER_LOST);
        assertThat(ending.status().isGloballyTerminalState())
                .as("the job itself would go on restarting")
                .isFalse();
        assertThat(flink.taskManagers()).isZero();
    }

    @Test
    void aJobThatFailsForGoodEndsTheWatchWithItsFailure() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        flink = LocalFlinkCluster.start(conf, 1);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromSequence(0, Long.MAX_VALUE).map(new AlwaysFails()).sinkTo(new DiscardingSink<>());
        JobID job = flink.submit(env);

        JobWatch.Ending ending = await(new JobWatch(flink, job));

        assertThat(ending.reason()).isEqualTo(JobWatch.Reason.JOB_ENDED);
        assertThat(ending.status()).isEqualTo(JobStatus.FAILED);
        assertThat(ending.lastFailure()).hasValueSatisfying(f -> assertThat(f).contains("no way"));
    }

    /**
     * Checks the watch, as the run does, until it reports an ending; fails after {@link #WITHIN}.
     */
    private static JobWatch.Ending await(JobWatch watch) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobWatch.Ending> ending = watch.check();
            if (ending.isPresent()) {
                return ending.get();
            }
            // The run's own polling interval, between two looks at the cluster.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError("no ending within " + WITHIN);
    }

    /** From its first element on, ignores interrupts and never returns, until released. */
    static final class StuckWhenCancelled implements MapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean STUCK = new AtomicBoolean();
        static final AtomicBoolean RELEASED = new AtomicBoolean();

        static void reset() {
            STUCK.set(false);
            RELEASED.set(false);
        }

        @Override
        public Long map(Long value) {
            STUCK.set(true);
            while (!RELEASED.get()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // interrupts ignored
            }
            return value;
        }
    }

    /** Fails the job once the other branch is stuck: the failover cancels the stuck task. */
    static final class FailOnceStuck implements MapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long value) {
            if (StuckWhenCancelled.STUCK.get()) {
                throw new IllegalStateException("a failure while another task is stuck");
            }
            return value;
        }
    }

    /** Fails on every element. */
    static final class AlwaysFails implements MapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long value) {
            throw new IllegalStateException("no way");
        }
    }
}
