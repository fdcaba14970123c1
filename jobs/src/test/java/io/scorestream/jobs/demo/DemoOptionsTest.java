package io.scorestream.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.config.UsageException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void defaultsToAFewThousandEventsPerSecondForAMinuteOnEmbeddedKafka() {
        DemoOptions options = DemoOptions.parse(List.of());
        assertThat(options.rate()).isEqualTo(3000);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.bootstrap()).isNull();
        assertThat(options.model()).isEqualTo("fraud-mlp");
    }

    @Test
    void parsesEveryOption() {
        DemoOptions options =
                DemoOptions.parse(
                        List.of(
                                "--rate",
                                "500",
                                "--duration",
                                "30s",
                                "--warmup",
                                "0s",
                                "--bootstrap",
                                "broker:9092",
                                "--model",
                                "intent-gru",
                                "--parallelism",
                                "1",
                                "--partitions",
                                "2",
                                "--checkpoint-interval",
                                "1s",
                                "--seed",
                                "42"));
        assertThat(options.rate()).isEqualTo(500);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.warmup()).isZero();
        assertThat(options.bootstrap()).isEqualTo("broker:9092");
        assertThat(options.model()).isEqualTo("intent-gru");
        assertThat(options.parallelism()).isEqualTo(1);
        assertThat(options.partitions()).isEqualTo(2);
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.seed()).isEqualTo(42);
    }

    @Test
    void explainsBadOptions() {
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--rate", "fast")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--rate must be a positive whole number, got 'fast'");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--duration", "-5s")))
                .hasMessageContaining("--duration must be a positive duration");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--duration", "5s", "--warmup", "10s")))
                .hasMessageContaining("--warmup (PT10S) must be shorter than --duration (PT5S)");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--colour", "blue")))
                .hasMessageContaining("unknown option --colour")
                .hasMessageContaining("Usage: scorestream demo");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--rate")))
                .hasMessageContaining("--rate needs a value");
    }
}
