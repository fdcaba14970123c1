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

    @Test
    void kafkaCasesRunAsAGroupOrAloneWithARealisticKeyspaceByDefault() {
        BenchOptions all = BenchOptions.parse(List.of());
        assertThat(BenchOptions.KAFKA_CASES).allMatch(all::runs);
        assertThat(all.events()).isEqualTo(2_000_000);
        assertThat(all.liveSessions()).isEqualTo(1_000_000);
        assertThat(all.managedMemory()).isNull();

        BenchOptions decayRun =
                BenchOptions.parse(
                        List.of(
                                "--cases",
                                "scorestream-kafka",
                                "--events",
                                "10000000",
                                "--managed-memory",
                                "128m"));
        assertThat(decayRun.runs("scorestream-kafka")).isTrue();
        assertThat(decayRun.runs("peer-python")).isFalse();
        assertThat(decayRun.runs("bare")).isFalse();
        assertThat(decayRun.runsKafka()).isTrue();
        assertThat(decayRun.events()).isEqualTo(10_000_000);
        assertThat(decayRun.managedMemory().getMebiBytes()).isEqualTo(128);

        BenchOptions quick = BenchOptions.parse(List.of("--quick", "--cases", "bare"));
        assertThat(quick.runsKafka()).isFalse();
        assertThat(quick.events()).isEqualTo(20_000);
    }

    @Test
    void unknownCasesAndBadSizesAreUsageErrorsThatNameThem() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--cases", "kafka-peer")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--cases")
                .hasMessageContaining("peer-python");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--managed-memory", "lots")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--managed-memory");
    }
}
