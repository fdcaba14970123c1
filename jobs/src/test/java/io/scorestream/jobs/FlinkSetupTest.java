package io.scorestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;

class FlinkSetupTest {

    private static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, "kafka:9092");
        conf.set(
                ScoringOptions.MODEL_REPOSITORY,
                Path.of(System.getProperty("scorestream.models.dir", "../models")).toString());
        conf.set(
                ScoringOptions.KAFKA_PROPERTIES,
                Map.of(
                        "sasl.jaas.config",
                        "password=\"hunter2\"",
                        "security.protocol",
                        "SASL_SSL"));
        return conf;
    }

    @Test
    void runsOnRocksDbWithCheckpointsLowLatencyAndNoKryo() {
        Configuration conf = conf();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(7));

        Configuration flink = FlinkSetup.forScoring(conf, ScoringSettings.from(conf));

        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(flink.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(5));
        assertThat(flink.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(flink.get(PipelineOptions.OBJECT_REUSE)).isTrue();
    }

    @Test
    void keepsWhatTheClusterConfigured() {
        Configuration conf = conf();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(50));

        Configuration flink = FlinkSetup.forScoring(conf, ScoringSettings.from(conf));

        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(flink.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void showsTheSettingsInTheFlinkUiWithSecretsMasked() {
        Configuration conf = conf();

        Map<String, String> parameters =
                FlinkSetup.forScoring(conf, ScoringSettings.from(conf))
                        .get(PipelineOptions.GLOBAL_JOB_PARAMETERS);

        assertThat(parameters).containsEntry("scorestream.kafka.bootstrap-servers", "kafka:9092");
        assertThat(parameters.get("scorestream.kafka.properties"))
                .contains("SASL_SSL", "******")
                .doesNotContain("hunter2");
    }
}
