package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.assertOnePredictionPerEvent;
import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.KafkaClients;
import io.scorestream.it.input.KafkaClients.KeyValue;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.dlq.DeadLetterReplay;
import io.scorestream.jobs.dlq.ReplayOptions;
import io.scorestream.jobs.kafka.ReplayHeaders;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model fails on some events: their dead letters carry the records as read (key, bytes, topic,
 * partition, offset); {@code replay-dlq} publishes each with its key to its partition; the fixed
 * job, restored from a savepoint, scores every replayed event once, and no session counts an event
 * twice. Before, these dead letters were rebuilt from the decoded event (no key, no source), their
 * replays went to whatever partition a null key gets, and each was folded into its session again.
 */
class InferenceDeadLetterReplayITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void inferenceDeadLettersReplayToTheirPartitionAndCountOnceInTheirSession() throws Exception {
        Configuration conf =
                JobRuns.configuration("inference-replay", KAFKA.bootstrapServers(), checkpoints);
        List<SyntheticSession> sessions = TestJobs.sessions(61, 10);
        List<InferenceEvent> events = TestJobs.events(sessions);
        HashSet<String> failing = new HashSet<>();
        for (int i = 3; i < events.size(); i += 5) {
            failing.add(events.get(i).getEventId());
        }
        String eventsTopic = topic(conf, ScoringOptions.EVENTS_TOPIC);
        List<KeyValue> records = KafkaClients.keyedBySession(events);
        List<RecordMetadata> landed = KAFKA.clients().publish(eventsTopic, records);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            index.put(events.get(i).getEventId(), i);
        }

        // The first job: the model fails on the chosen events.
        JobClient first =
                JobRuns.start(
                        conf,
                        TestJobs.PARALLELISM,
                        "inference-replay-failing",
                        (requests, plan, settings) ->
                                ScoringPipeline.microBatchedAsync()
                                        .apply(requests, plan, settings)
                                        .map(new FailChosen(failing))
                                        .name("Fail chosen events")
                                        .uid("fail-chosen"),
                        predictions -> {});
        awaitPredictions(KAFKA.clients(), conf, events.size() - failing.size());
        List<DeadLetter> letters =
                KAFKA.clients()
                        .readCommitted(
                                topic(conf, ScoringOptions.DEAD_LETTER_TOPIC),
                                DeadLetter.class,
                                read -> read.size() >= failing.size(),
                                JobRuns.READ_TIMEOUT);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                checkpoints.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();

        assertThat(letters)
                .extracting(DeadLetter::getEventId)
                .containsExactlyInAnyOrderElementsOf(failing);
        for (DeadLetter letter : letters) {
            int i = index.get(letter.getEventId());
            assertThat(letter.getStage()).isEqualTo("inference");
            assertThat(letter.getReason()).isEqualTo("INFERENCE_FAILED");
            assertThat(bytes(letter.getOriginalKey())).isEqualTo(records.get(i).key());
            assertThat(bytes(letter.getOriginalValue())).isEqualTo(records.get(i).value());
            assertThat(letter.getSourceTopic()).isEqualTo(eventsTopic);
            assertThat(letter.getSourcePartition()).isEqualTo(landed.get(i).partition());
            assertThat(letter.getSourceOffset()).isEqualTo(landed.get(i).offset());
        }

        // The fix is in: replay the failed events, resume from the savepoint.
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        new DeadLetterReplay(client)
                .replay(
                        ReplayOptions.parse(
                                List.of(
                                        "--bootstrap",
                                        KAFKA.bootstrapServers(),
                                        "--from-topic",
                                        topic(conf, ScoringOptions.DEAD_LETTER_TOPIC),
                                        "--to-topic",
                                        eventsTopic,
                                        "--reason",
                                        "INFERENCE_FAILED")));
        List<ConsumerRecord<byte[], byte[]>> replays =
                KAFKA.clients().recordsToEnd(eventsTopic, "read_committed").stream()
                        .filter(r -> r.headers().lastHeader(ReplayHeaders.STAGE) != null)
                        .toList();
        assertThat(replays).hasSameSizeAs(failing);
        for (ConsumerRecord<byte[], byte[]> replay : replays) {
            int i = indexOfValue(records, replay.value());
            assertThat(replay.key()).as("original key").isEqualTo(records.get(i).key());
            assertThat(replay.partition())
                    .as("original partition")
                    .isEqualTo(landed.get(i).partition());
        }

        Configuration fixed = new Configuration(conf);
        fixed.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = JobRuns.start(fixed, TestJobs.PARALLELISM, "inference-replay-fixed");
        List<Prediction> predictions = awaitPredictions(KAFKA.clients(), fixed, events.size());
        second.cancel().get();

        assertOnePredictionPerEvent(predictions, events);
        Map<String, Integer> longestPosition =
                predictions.stream()
                        .collect(
                                Collectors.toMap(
                                        Prediction::getSessionId,
                                        Prediction::getSessionEventCount,
                                        Math::max));
        for (SyntheticSession session : sessions) {
            assertThat(longestPosition.get(session.sessionId()))
                    .as("events counted in session %s", session.sessionId())
                    .isEqualTo(session.events().size());
        }
    }

    private static int indexOfValue(List<KeyValue> records, byte[] value) {
        for (int i = 0; i < records.size(); i++) {
            if (Arrays.equals(records.get(i).value(), value)) {
                return i;
            }
        }
        throw new AssertionError("a replayed record that was never published");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** The model "fails" on the chosen events: their results become INFERENCE_FAILED. */
    static final class FailChosen implements MapFunction<InferenceResult, InferenceResult> {
        private static final long serialVersionUID = 1L;
        private final Set<String> eventIds;

        FailChosen(Set<String> eventIds) {
            this.eventIds = new HashSet<>(eventIds);
        }

        @Override
        public InferenceResult map(InferenceResult result) {
            if (!eventIds.contains(result.request.eventId)) {
                return result;
            }
            return InferenceResult.failed(
                    result.request,
                    "INFERENCE_FAILED",
                    new IllegalStateException("injected model failure"),
                    result.inferenceMicros);
        }
    }
}
