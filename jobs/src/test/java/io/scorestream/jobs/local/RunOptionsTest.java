package io.scorestream.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.config.UsageException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void theRunsOwnFlagsAreTakenAndTheSettingsPassedOn() {
        RunOptions options =
                RunOptions.parse(
                        List.of(
                                "--scorestream.kafka.bootstrap-servers",
                                "broker:9092",
                                "--fresh",
                                "--progress-interval",
                                "2 s",
                                "--execution.checkpointing.dir",
                                "file:///tmp/ckpt"));

        assertThat(options.fresh()).isTrue();
        assertThat(options.fromSavepoint()).isNull();
        assertThat(options.progressInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.settings())
                .containsExactly(
                        "--scorestream.kafka.bootstrap-servers",
                        "broker:9092",
                        "--execution.checkpointing.dir",
                        "file:///tmp/ckpt");
    }

    @Test
    void freshAndASavepointContradictEachOther() {
        assertThatThrownBy(
                        () -> RunOptions.parse(List.of("--fresh", "--from-savepoint", "/tmp/sp")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("give one");
    }

    @Test
    void aSettingWithoutAValueIsAUsageError() {
        assertThatThrownBy(() -> RunOptions.parse(List.of("--scorestream.model.name", "--fresh")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--scorestream.model.name needs a value");
    }
}
