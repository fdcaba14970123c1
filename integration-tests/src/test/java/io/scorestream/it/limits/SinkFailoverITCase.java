package io.scorestream.it.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.KafkaSettings;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink write the broker refuses, while the task is failing anyway: the job restarts from its
 * checkpoint and the TaskManager lives on. Before, the Kafka writer rethrew the refused record's
 * error from {@code close()} during the task's clean-up, which Flink treats as fatal: the
 * TaskManager shut down and a local run was left with no slots.
 *
 * <p>The production dead-letter sink writes to a topic whose limit was lowered below the letter (as
 * if changed while the job ran); an operator chained in front of the sink fails the task once the
 * broker has refused the letter, before the writer checks for the error again.
 */
class SinkFailoverITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void aRefusedRecordPendingWhileTheTaskFailsLeavesTheTaskManagerAlive() throws Exception {
        Configuration conf =
                TestJobs.configuration("sink-failover", KAFKA.bootstrapServers(), checkpoints);
        conf.setString(ScoringOptions.DEAD_LETTER_MAX_SIZE.key(), "64 kb");
        conf.set(
                ScoringOptions.KAFKA_PROPERTIES,
                Map.of("interceptor.classes", RefusalWatch.class.getName()));
        KafkaSettings kafka = ScoringSettings.from(conf).kafka();
        String topic = kafka.deadLetterTopic();
        KAFKA.createTopics(1, List.of(topic));
        limitRecordSize(topic, 20_000);
        RefusalWatch.reset();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromData(
                        new AvroTypeInfo<>(DeadLetter.class),
                        letter("a", 100),
                        letter("big", 40_000),
                        letter("b", 100))
                .flatMap(new FailWhileARefusalIsPending())
                .returns(new AvroTypeInfo<>(DeadLetter.class))
                .sinkTo(KafkaConnectors.deadLetterSink(kafka));

        try (MiniCluster flink = miniCluster()) {
            JobID job = flink.submitJob(env.getStreamGraph()).get().getJobID();
            JobResult result = flink.requestJobResult(job).get(60, TimeUnit.SECONDS);

            assertThat(RefusalWatch.REFUSED.getCount())
                    .as("the broker refused the letter")
                    .isZero();
            assertThat(flink.requestClusterOverview().get().getNumTaskManagersConnected())
                    .as("TaskManagers still connected")
                    .isEqualTo(1);
            assertThat(result.isSuccess())
                    .as("the restarted job finished: %s", result.getSerializedThrowable())
                    .isTrue();
        }
        assertThat(KAFKA.clients().readToEnd(topic, DeadLetter.class, "read_committed"))
                .extracting(DeadLetter::getEventId)
                .as("exactly once, from the restarted attempt")
                .containsExactly("a", "big", "b");
    }

    private static MiniCluster miniCluster() throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
        return cluster;
    }

    private static void limitRecordSize(String topic, int bytes) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            admin.incrementalAlterConfigs(
                            Map.of(
                                    new ConfigResource(ConfigResource.Type.TOPIC, topic),
                                    List.of(
                                            new AlterConfigOp(
                                                    new ConfigEntry(
                                                            "max.message.bytes",
                                                            String.valueOf(bytes)),
                                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    private static DeadLetter letter(String id, int valueBytes) {
        return DeadLetter.newBuilder()
                .setOriginalKey(ByteBuffer.wrap(id.getBytes()))
                .setOriginalValue(ByteBuffer.wrap(new byte[valueBytes]))
                .setEventId(id)
                .setStage("decode")
                .setReason("UNDECODABLE")
                .setMessage("test letter")
                .setDeadLetterTime(Instant.ofEpochMilli(1_000))
                .build();
    }

    /**
     * First attempt: hands the too-large letter to the sink, waits (on the task thread, so the sink
     * cannot check for errors in between) until the broker has refused it, then fails the task.
     * Later attempts shrink the letter (the topic was fixed).
     */
    static final class FailWhileARefusalIsPending
            extends RichFlatMapFunction<DeadLetter, DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(DeadLetter letter, Collector<DeadLetter> out) throws Exception {
            if (!letter.getEventId().equals("big")) {
                out.collect(letter);
                return;
            }
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
                out.collect(letter("big", 100));
                return;
            }
            out.collect(letter);
            if (!RefusalWatch.REFUSED.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the broker did not refuse the large letter");
            }
            throw new IllegalStateException("injected: the task fails for another reason");
        }
    }

    /** A producer interceptor that sees the broker refuse a record as too large. */
    public static final class RefusalWatch implements ProducerInterceptor<byte[], byte[]> {
        static volatile CountDownLatch REFUSED = new CountDownLatch(1);

        static void reset() {
            REFUSED = new CountDownLatch(1);
        }

        @Override
        public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
            if (exception instanceof RecordTooLargeException) {
                REFUSED.countDown();
            }
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }
}
