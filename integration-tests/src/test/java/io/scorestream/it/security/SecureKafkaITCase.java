package io.scorestream.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.kafka.KafkaPreflight;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that only lets clients in over TLS with a SCRAM-SHA-512 login, every
 * client setting passed through {@code scorestream.kafka.properties}: it scores with the right
 * credentials; with wrong ones it is refused at start-up, or, if started anyway, fails within
 * seconds with the authentication error as its cause. All the while, every log line (INFO and
 * above, Flink, Kafka clients and broker), every exception and the job's parameters in Flink's REST
 * API (what the web UI shows) are searched for the secrets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureKafkaITCase {

    private static final String USER = "scorestream";
    private static final String PASSWORD = "scram-" + UUID.randomUUID();
    private static final String WRONG_PASSWORD = "wrong-" + UUID.randomUUID();
    private static final String KEY_STORE_PASSWORD = "keystore-" + UUID.randomUUID();
    private static final String TRUST_STORE_PASSWORD = "truststore-" + UUID.randomUUID();
    private static final List<String> SECRETS =
            List.of(PASSWORD, WRONG_PASSWORD, KEY_STORE_PASSWORD, TRUST_STORE_PASSWORD);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(TestJobs.PARALLELISM)
                            .build());

    @TempDir static Path directory;
    private static CapturedLogs logs;
    private static TestCertificates certificates;
    private static EmbeddedKafka kafka;

    @TempDir Path checkpoints;
    private String testId;

    @BeforeAll
    static void startSecureKafka() throws Exception {
        logs = CapturedLogs.capture();
        certificates = TestCertificates.create(directory, KEY_STORE_PASSWORD, TRUST_STORE_PASSWORD);
        kafka =
                EmbeddedKafka.startSecure(
                        null, certificates.keyStore(), certificates.keyStorePassword());
        kafka.createScramUser(USER, PASSWORD);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            logs.close();
        }
    }

    @BeforeEach
    void name(TestInfo info) {
        testId = info.getTestMethod().orElseThrow().getName();
    }

    @Test
    @Order(1)
    void scoresOverTlsAndScramWithTheRightCredentials() throws Exception {
        Configuration conf = configuration(clientProperties(PASSWORD));
        KafkaPreflight.check(ScoringSettings.from(conf).kafka()); // passes
        KafkaClients clients = new KafkaClients(asProperties(conf));
        List<SyntheticSession> sessions = TestJobs.sessions(41, 10);
        List<InferenceEvent> events = TestJobs.events(sessions);
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        List<KeyValue> records = new ArrayList<>();
        for (InferenceEvent event : events) {
            records.add(new KeyValue(event.getSessionId().getBytes(), codec.encode(event)));
        }
        clients.publish(conf.get(ScoringOptions.EVENTS_TOPIC), records);

        JobClient job = TestJobs.start(conf, testId);
        List<Prediction> predictions =
                clients.readCommitted(
                        conf.get(ScoringOptions.PREDICTIONS_TOPIC),
                        Prediction.class,
                        read ->
                                new HashSet<>(read.stream().map(Prediction::getEventId).toList())
                                                .size()
                                        >= events.size(),
                        READ_TIMEOUT);
        Map<String, String> rest = restViewsOf(job);
        job.cancel().get();

        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(InferenceEvent::getEventId).toList());
        // What the web UI shows: the job's parameters, its configuration, its plan.
        assertThat(rest.get("/config"))
                .contains("scorestream.kafka.properties", "SASL_SSL", "******");
        rest.forEach((path, body) -> assertThat(body).as("REST %s", path).doesNotContain(SECRETS));
    }

    @Test
    @Order(2)
    void wrongCredentialsAreRefusedAtStartUpNamingTheSettingToFix() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(
                        () -> preflight(clientProperties(WRONG_PASSWORD), Duration.ofSeconds(20)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.kafka.properties")
                .hasMessageContaining("refused the login")
                .hasMessageContaining("SCRAM-SHA-512")
                .hasMessageContaining("sasl.jaas.config")
                .satisfies(e -> assertThat(trace(e)).doesNotContain(SECRETS));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        Map<String, String> untrusted = clientProperties(PASSWORD);
        untrusted.remove("ssl.truststore.location");
        untrusted.remove("ssl.truststore.password");
        untrusted.remove("ssl.truststore.type");
        assertThatThrownBy(() -> preflight(untrusted, Duration.ofSeconds(20)))
                .hasMessageContaining("the TLS handshake with Kafka at")
                .hasMessageContaining("ssl.truststore");

        Map<String, String> noTls = clientProperties(PASSWORD);
        noTls.put("security.protocol", "SASL_PLAINTEXT");
        assertThatThrownBy(() -> preflight(noTls, Duration.ofSeconds(1)))
                .hasMessageContaining("no answer from Kafka at")
                .hasMessageContaining("security.protocol");
    }

    @Test
    @Order(3)
    void aJobStartedWithTheWrongPasswordFailsWithinSecondsWithTheLoginErrorAsCause()
            throws Exception {
        Configuration conf = configuration(clientProperties(WRONG_PASSWORD));
        long start = System.nanoTime();

        JobClient job = TestJobs.start(conf, testId);
        ExecutionException failure = null;
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).as("the job failed").isNotNull();
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FAILED);
        // Bounded by the restart strategy (here 3 attempts, 200 ms apart), not retried forever.
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(ExceptionUtils.findThrowable(failure, SaslAuthenticationException.class))
                .as("the login failure is the cause")
                .hasValueSatisfying(
                        e ->
                                assertThat(e.getMessage())
                                        .contains("Authentication failed")
                                        .contains("SCRAM-SHA-512"));
        assertThat(trace(failure)).doesNotContain(SECRETS);
    }

    @Test
    @Order(4)
    void aPasswordPassedByReferenceNeverEntersFlinksConfiguration() throws Exception {
        // Flink logs every config.yaml entry whose key does not look secret, and
        // scorestream.kafka.properties does not: there, pass secrets by reference.
        Path secrets = directory.resolve("kafka-secrets.properties");
        Properties file = new Properties();
        file.setProperty("sasl.jaas.config", clientProperties(PASSWORD).get("sasl.jaas.config"));
        file.setProperty("truststore", TRUST_STORE_PASSWORD);
        try (Writer out = Files.newBufferedWriter(secrets)) {
            file.store(out, null);
        }
        Map<String, String> byReference = clientProperties(PASSWORD);
        byReference.put("config.providers", "file");
        byReference.put(
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        byReference.put("sasl.jaas.config", "${file:" + secrets + ":sasl.jaas.config}");
        byReference.put("ssl.truststore.password", "${file:" + secrets + ":truststore}");
        Configuration conf = configuration(byReference);
        ScoringSettings settings = ScoringSettings.from(conf);

        assertThat(FlinkSetup.forScoring(conf, settings).toMap().toString())
                .doesNotContain(SECRETS);
        KafkaPreflight.check(settings.kafka()); // the Kafka client resolves it, and logs in
    }

    @Test
    @Order(5)
    void noSecretEverReachedTheLogs() {
        String text = logs.text();

        assertThat(logs.size()).as("log events captured").isGreaterThan(100);
        // Kafka's clients log their whole configuration at INFO, secrets masked: that was seen...
        assertThat(text)
                .contains("sasl.jaas.config = [hidden]", "ssl.truststore.password = [hidden]");
        // ...and so was the login failure of the previous tests.
        assertThat(text).contains("SaslAuthenticationException");
        for (String secret : SECRETS) {
            assertThat(text.contains(secret)).as("a secret appears in the logs").isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------

    /** Every Kafka client setting of the job: TLS with our trust store, SCRAM login. */
    private static Map<String, String> clientProperties(String password) {
        Map<String, String> properties = new HashMap<>();
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", EmbeddedKafka.SCRAM_MECHANISM);
        properties.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + USER
                        + "\" password=\""
                        + password
                        + "\";");
        properties.put("ssl.truststore.type", "PKCS12");
        properties.put("ssl.truststore.location", certificates.trustStore().toString());
        properties.put("ssl.truststore.password", certificates.trustStorePassword());
        return properties;
    }

    private Configuration configuration(Map<String, String> clientProperties) throws Exception {
        Configuration conf =
                TestJobs.configuration(testId, kafka.secureBootstrapServers(), checkpoints);
        conf.set(ScoringOptions.KAFKA_PROPERTIES, clientProperties);
        // Topics are made through the broker's internal plaintext listener.
        kafka.createTopics(3, TestJobs.topics(conf));
        return conf;
    }

    private void preflight(Map<String, String> clientProperties, Duration timeout)
            throws Exception {
        KafkaPreflight.check(
                ScoringSettings.from(configuration(clientProperties)).kafka(), timeout);
    }

    private static Properties asProperties(Configuration conf) {
        Properties properties = new Properties();
        properties.putAll(conf.get(ScoringOptions.KAFKA_PROPERTIES));
        properties.setProperty("bootstrap.servers", conf.get(ScoringOptions.BOOTSTRAP_SERVERS));
        return properties;
    }

    /** The JSON of the REST views of the job (what the web UI shows), by path. */
    private static Map<String, String> restViewsOf(JobClient job) throws Exception {
        Configuration client = FLINK.getClientConfiguration();
        String base =
                "http://"
                        + client.get(RestOptions.ADDRESS)
                        + ":"
                        + client.get(RestOptions.PORT)
                        + "/jobs/"
                        + job.getJobID();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> views = new HashMap<>();
        for (String path :
                List.of("", "/config", "/plan", "/jobmanager/config", "/jobmanager/environment")) {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
            views.put(path, response.body());
        }
        return views;
    }

    private static String trace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
