package io.scorestream.it.deploy;

import static io.scorestream.it.deploy.DeploymentFiles.k8s;
import static io.scorestream.it.deploy.DeploymentFiles.list;
import static io.scorestream.it.deploy.DeploymentFiles.mapping;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.config.ScoringOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka credentials in the manifests are references to the mounted Secret, never values: the job's
 * {@code scorestream.kafka.properties} argument parses as ScoreStream parses it, and the Kafka
 * client (4.2) resolves the reference from a directory holding one file per Secret key.
 */
class KafkaCredentialsTest {

    private static final String MOUNT = "/etc/scorestream/kafka";

    @TempDir Path secretMount;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base/jobmanager-deployment.yaml", "operator/flinkdeployment.yaml"})
    void theJaasConfigComesFromTheMountedSecret(String manifest) throws Exception {
        Map<String, Object> document = mapping(k8s().resolve(manifest));
        List<Object> args =
                manifest.startsWith("operator")
                        ? list(document, "spec", "job", "args")
                        : list(document, "spec", "template", "spec", "containers", 0, "args");
        String[] jobArgs =
                args.stream()
                        .map(String::valueOf)
                        .dropWhile(a -> !a.startsWith("--scorestream."))
                        .toArray(String[]::new);
        Configuration conf = ParameterTool.fromArgs(jobArgs).getConfiguration();
        Map<String, String> properties = conf.get(ScoringOptions.KAFKA_PROPERTIES);

        assertThat(properties)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("config.providers", "dir")
                .containsEntry(
                        SaslConfigs.SASL_JAAS_CONFIG,
                        "${dir:" + MOUNT + ":" + SaslConfigs.SASL_JAAS_CONFIG + "}");
        assertThat(String.join(" ", jobArgs)).doesNotContainIgnoringCase("password=");

        // What the Kafka client makes of it, with the Secret mounted (here: a temporary folder).
        String jaas =
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"scorestream\" password=\"s3cret\";";
        Files.writeString(secretMount.resolve(SaslConfigs.SASL_JAAS_CONFIG), jaas);
        Map<String, Object> client = new HashMap<>();
        properties.forEach(
                (key, value) -> client.put(key, value.replace(MOUNT, secretMount.toString())));
        client.put("bootstrap.servers", "localhost:9092");
        client.put("key.serializer", ByteArraySerializer.class);
        client.put("value.serializer", ByteArraySerializer.class);
        ProducerConfig resolved = new ProducerConfig(client);
        assertThat(resolved.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).isEqualTo(jaas);
    }
}
