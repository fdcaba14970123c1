package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.operators.inference.TimeoutPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class ScoringSettingsTest {

    static Path models() {
        return Path.of(System.getProperty("scorestream.models.dir", "../models"));
    }

    static Configuration minimal() {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        conf.set(ScoringOptions.MODEL_REPOSITORY, models().toString());
        return conf;
    }

    @Test
    void defaultsAreExactlyOnceWithCheckpointsAndBoundedBatching() {
        ScoringSettings settings = ScoringSettings.from(minimal());

        assertThat(settings.kafka().deliveryGuarantee()).isEqualTo(DeliveryMode.EXACTLY_ONCE);
        assertThat(settings.kafka().eventsTopic()).isEqualTo("events");
        assertThat(settings.kafka().predictionsTopic()).isEqualTo("predictions");
        assertThat(settings.kafka().deadLetterTopic()).isEqualTo("events.dlq");
        assertThat(settings.checkpoints().interval())
                .isEqualTo(CheckpointSettings.DEFAULT_INTERVAL);
        assertThat(settings.inference().batching().maxBatchSize()).isEqualTo(64);
        assertThat(settings.inference().batching().queueCapacity()).isEqualTo(4096);
        assertThat(settings.inference().timeoutPolicy()).isEqualTo(TimeoutPolicy.FALLBACK);
        assertThat(settings.inference().device()).isEqualTo("cpu");
        assertThat(settings.modelName()).isEqualTo("fraud-mlp");
        assertThat(settings.modelVersion()).isEqualTo("latest");
        assertThat(Path.of(settings.inference().modelRepository())).isAbsolute();
    }

    @Test
    void readsEverySettingByItsKey() {
        Configuration conf = minimal();
        conf.setString("scorestream.kafka.topic.events", "in");
        conf.setString("scorestream.kafka.delivery-guarantee", "AT_LEAST_ONCE");
        conf.setString("scorestream.inference.max-batch-size", "128");
        conf.setString("scorestream.inference.max-delay", "3 ms");
        conf.setString("scorestream.inference.timeout", "2 s");
        conf.setString("scorestream.inference.timeout-policy", "DEAD_LETTER");
        conf.setString("scorestream.session.ttl", "10 min");
        conf.setString(
                "scorestream.kafka.properties",
                "security.protocol:SASL_SSL,sasl.mechanism:SCRAM-SHA-512");
        conf.setString("execution.checkpointing.interval", "30 s");

        ScoringSettings settings = ScoringSettings.from(conf);

        assertThat(settings.kafka().eventsTopic()).isEqualTo("in");
        assertThat(settings.kafka().deliveryGuarantee()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(settings.inference().batching().maxBatchSize()).isEqualTo(128);
        assertThat(settings.inference().batching().maxDelay()).isEqualTo(Duration.ofMillis(3));
        assertThat(settings.async().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.inference().timeoutPolicy()).isEqualTo(TimeoutPolicy.DEAD_LETTER);
        assertThat(settings.session().ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.checkpoints().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.kafka().clientPropertiesWithBootstrap())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "localhost:9092");
    }

    @Test
    void outputOrderIsUnorderedUnlessPerKeyIsAskedFor() {
        assertThat(ScoringSettings.from(minimal()).async().outputOrder())
                .isEqualTo(OutputOrder.UNORDERED);

        Configuration perKey = minimal();
        perKey.setString("scorestream.inference.output-order", "PER_KEY");
        assertThat(ScoringSettings.from(perKey).async().outputOrder())
                .isEqualTo(OutputOrder.PER_KEY);

        Configuration wrong = minimal();
        wrong.setString("scorestream.inference.output-order", "BY_SESSION");
        assertThatThrownBy(() -> ScoringSettings.from(wrong))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.inference.output-order");
    }

    @Test
    void reportsEveryProblemAtOnceNamingItsKey() {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.MODEL_REPOSITORY, "/no/such/repository");
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 0);
        conf.set(ScoringOptions.QUEUE_CAPACITY, 8);
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 16);
        conf.set(ScoringOptions.WORKER_THREADS, 0);
        conf.set(ScoringOptions.PREDICTIONS_TOPIC, "events");
        conf.set(ScoringOptions.MODEL_DEVICE, "tpu");
        conf.set(ScoringOptions.ASYNC_TIMEOUT, Duration.ZERO);
        conf.setString("scorestream.inference.timeout-policy", "RETRY_FOREVER");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(
                        e ->
                                assertThat(((InvalidSettingsException) e).problems())
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.kafka.bootstrap-servers is required"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.model.repository: no model repository folder"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.inference.queue-capacity (8) must hold"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.inference.worker-threads must be at least 1"))
                                        .anyMatch(p -> p.contains("must be three different topics"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith("scorestream.model.device:")
                                                                && p.contains("tpu"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.inference.timeout must be positive"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.inference.timeout-policy:")));
    }

    @Test
    void exactlyOnceNeedsATransactionTimeoutLongerThanTheCheckpointInterval() {
        Configuration conf = minimal();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(20));
        conf.set(ScoringOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(15));

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(
                        "scorestream.kafka.transaction-timeout (PT15M) must be longer than")
                .hasMessageContaining("execution.checkpointing.interval (PT20M)");

        conf.set(ScoringOptions.DELIVERY_GUARANTEE, DeliveryMode.AT_LEAST_ONCE);
        assertThat(ScoringSettings.from(conf).checkpoints().interval())
                .isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void exactlyOnceNeedsATransactionalIdPrefix() {
        Configuration conf = minimal();
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, " ");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .hasMessageContaining("scorestream.kafka.transactional-id-prefix must be set");
    }

    @Test
    void anUnknownModelOrVersionIsAnInvalidSetting() {
        Configuration unknownModel = minimal();
        unknownModel.set(ScoringOptions.MODEL_NAME, "churn-xgb");
        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(unknownModel)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.model.name")
                .hasMessageContaining("churn-xgb")
                .hasMessageContaining("fraud-mlp");

        Configuration unknownVersion = minimal();
        unknownVersion.set(ScoringOptions.MODEL_VERSION, "7");
        assertThatThrownBy(() -> new ScoringPipeline(ScoringSettings.from(unknownVersion)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.model.version");
    }

    @Test
    void latestMeansTheHighestVersion() {
        assertThat(new ScoringPipeline(ScoringSettings.from(minimal())).manifest().version())
                .isEqualTo("2");

        Configuration pinned = minimal();
        pinned.set(ScoringOptions.MODEL_VERSION, "1");
        assertThat(new ScoringPipeline(ScoringSettings.from(pinned)).manifest().version())
                .isEqualTo("1");
    }

    @Test
    void secretsNeverAppearInTheSettingsText() {
        Configuration conf = minimal();
        conf.set(
                ScoringOptions.KAFKA_PROPERTIES,
                Map.of(
                        "sasl.jaas.config",
                                "ScramLoginModule required username=\"u\" password=\"hunter2\";",
                        "ssl.truststore.password", "hunter3",
                        "security.protocol", "SASL_SSL"));

        String text = ScoringSettings.from(conf).toString();

        assertThat(text).doesNotContain("hunter2", "hunter3").contains("SASL_SSL", "******");
    }
}
