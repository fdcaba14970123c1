package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigurationTest {

    @TempDir Path confDir;

    @Test
    void readsTheClustersConfigYamlAndLetsArgumentsWin() throws Exception {
        Files.writeString(
                confDir.resolve("config.yaml"),
                """
                restart-strategy.type: fixed-delay
                restart-strategy.fixed-delay.delay: 90 s
                scorestream.kafka.bootstrap-servers: kafka-0:9092
                scorestream.model.name: intent-gru
                """);

        Configuration conf =
                JobConfiguration.load(
                        new String[] {"--scorestream.model.name", "fraud-mlp"}, confDir.toString());

        assertThat(conf.get(ScoringOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka-0:9092");
        assertThat(conf.get(ScoringOptions.MODEL_NAME)).as("argument wins").isEqualTo("fraud-mlp");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
    }

    @Test
    void withoutAConfigFolderOnlyTheArgumentsCount() {
        Configuration conf =
                JobConfiguration.load(
                        new String[] {"--scorestream.kafka.bootstrap-servers", "b:9092"}, null);

        assertThat(conf.get(ScoringOptions.BOOTSTRAP_SERVERS)).isEqualTo("b:9092");
        assertThat(conf.contains(RestartStrategyOptions.RESTART_STRATEGY)).isFalse();
    }
}
