package io.scorestream.it.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records as large as a broker at its default limit (1 MB) accepts, among good events, with every
 * setting at its default: each is dead-lettered as OVERSIZED_RECORD in a dead letter that fits the
 * dead-letter topic (cut when it must be, and saying so), and the job scores every good event once
 * and keeps running. Before, the dead letter of the largest one (its value plus ~220 bytes) was
 * refused, and the job restarted into it until it gave up.
 */
class OversizedRecordITCase {

    /** The largest value a default topic takes with a short key: its limit is 1048588 bytes. */
    private static final int AT_THE_LIMIT = 1_048_490;

    /** Above max-record-size (512 kb), well below the dead-letter limit (1000 kb). */
    private static final int LARGE = 700 * 1024;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void recordsAtTheBrokersLimitAreDeadLetteredToFitWhileTheJobScoresTheRest() throws Exception {
        Configuration conf =
                TestJobs.configuration("oversized", KAFKA.bootstrapServers(), checkpoints);
        KAFKA.createTopics(2, TestJobs.topics(conf));
        List<InferenceEvent> good = TestJobs.events(TestJobs.sessions(7, 12));
        byte[] atTheLimit = bytes(AT_THE_LIMIT, (byte) 7);
        InferenceEvent template = good.get(0);
        byte[] large =
                AvroCodec.of(InferenceEvent.class)
                        .encode(
                                InferenceEvent.newBuilder(template)
                                        .setEventId("large")
                                        .setAttributes(Map.of("blob", "x".repeat(LARGE)))
                                        .build());
        List<KeyValue> records = new ArrayList<>(KafkaClients.keyedBySession(good));
        records.add(10, new KeyValue(key("at-the-limit"), atTheLimit));
        records.add(40, new KeyValue(key("large"), large));
        bigRequests().publish(conf.get(ScoringOptions.EVENTS_TOPIC), records);

        JobClient job = TestJobs.start(conf, "oversized");
        List<Prediction> predictions = JobRuns.awaitPredictions(KAFKA.clients(), conf, good.size());
        List<DeadLetter> letters =
                KAFKA.clients()
                        .readCommitted(
                                conf.get(ScoringOptions.DEAD_LETTER_TOPIC),
                                DeadLetter.class,
                                read -> read.size() >= 2,
                                JobRuns.READ_TIMEOUT);
        JobStatus status = job.getJobStatus().get();
        job.cancel().get();

        assertThat(status).as("the job keeps running").isEqualTo(JobStatus.RUNNING);
        assertThat(predictions)
                .extracting(Prediction::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        good.stream().map(InferenceEvent::getEventId).toList());
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly("OVERSIZED_RECORD", "OVERSIZED_RECORD");

        DeadLetter cut = letterWithKey(letters, "at-the-limit");
        assertThat(cut.getTruncated()).isTrue();
        assertThat(cut.getOriginalValueSize()).isEqualTo(AT_THE_LIMIT);
        assertThat(cut.getOriginalValueSha256()).isEqualTo(sha256(atTheLimit));
        byte[] kept = bytes(cut.getOriginalValue());
        assertThat(cut.getKeptValueBytes()).isEqualTo(kept.length).isLessThan(AT_THE_LIMIT);
        assertThat(kept).isEqualTo(Arrays.copyOf(atTheLimit, kept.length));

        DeadLetter whole = letterWithKey(letters, "large");
        assertThat(whole.getTruncated()).isFalse();
        assertThat(bytes(whole.getOriginalValue())).isEqualTo(large);
        assertThat(whole.getOriginalValueSize()).isEqualTo(large.length);
    }

    /** Our own producer may send records up to the broker's limit. */
    private static KafkaClients bigRequests() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        properties.setProperty("max.request.size", String.valueOf(2 << 20));
        return new KafkaClients(properties);
    }

    private static DeadLetter letterWithKey(List<DeadLetter> letters, String key) {
        return letters.stream()
                .filter(l -> Arrays.equals(bytes(l.getOriginalKey()), key(key)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter keyed " + key));
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int length, byte fill) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, fill);
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String sha256(byte[] value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    }
}
