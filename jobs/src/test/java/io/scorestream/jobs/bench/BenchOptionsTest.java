package io.scorestream.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.config.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void flinkGetsTheCoresTheModelsWorkersLeaveAndAlwaysOne() {
        assertThat(BenchOptions.defaultParallelism(2, 1)).isEqualTo(1);
        assertThat(BenchOptions.defaultParallelism(16, 2)).isEqualTo(14);
        assertThat(BenchOptions.defaultParallelism(2, 2)).isEqualTo(1);
        assertThat(BenchOptions.defaultParallelism(1, 1)).isEqualTo(1);
    }

    @Test
    void theDefaultParallelismFollowsTheWorkerThreadsAndAnExplicitOneWins() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(BenchOptions.parse(List.of("--worker-threads", "1")).parallelism())
                .isEqualTo(Math.max(1, cores - 1));
        assertThat(
                        BenchOptions.parse(List.of("--worker-threads", "1", "--parallelism", "3"))
                                .parallelism())
                .isEqualTo(3);
    }

    @Test
    void aBadParallelismIsAUsageErrorThatNamesIt() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--parallelism", "0")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--parallelism");
    }
}
