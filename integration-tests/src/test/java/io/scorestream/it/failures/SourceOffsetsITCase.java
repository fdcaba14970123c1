package io.scorestream.it.failures;

import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's position lives in the job's checkpoints, not in its consumer group. An event still
 * in flight in an async operator when a checkpoint completes is behind the source's position in
 * that checkpoint: a job that started from offsets committed at that checkpoint, without the
 * checkpoint, would never score it. With the default settings the source commits nothing and a job
 * without state starts at the earliest offset, so a fresh job scores it.
 */
class SourceOffsetsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void aFreshJobScoresAnEventTheLastJobHeldInFlightInItsCheckpoints() throws Exception {
        Configuration conf =
                JobRuns.configuration("source-offsets", KAFKA.bootstrapServers(), checkpoints);
        // The defaults: no offset commits, a job without state starts at EARLIEST.
        conf.removeConfig(ScoringOptions.STARTING_OFFSETS);
        List<SyntheticSession> sessions = TestJobs.sessions(17, 12);
        List<InferenceEvent> first = JobRuns.heads(sessions, 0.5);
        List<InferenceEvent> later = JobRuns.tails(sessions, 0.5);
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);
        String held = first.get(first.size() / 2).getEventId();
        HoldOne.arm(held);

        KAFKA.clients().publish(events, keyedBySession(first));
        JobClient holding =
                JobRuns.start(
                        conf,
                        TestJobs.PARALLELISM,
                        "source-offsets-holding",
                        (requests, plan, settings) ->
                                AsyncDataStream.unorderedWait(
                                                ScoringPipeline.microBatchedAsync()
                                                        .apply(requests, plan, settings),
                                                new HoldOne(),
                                                10,
                                                TimeUnit.MINUTES,
                                                100)
                                        .name("Hold one event")
                                        .uid("hold-one"),
                        predictions -> {});
        awaitPredictions(KAFKA.clients(), conf, first.size() - 1);
        assertThat(HoldOne.HOLDING).as("the held event reached the holding operator").isTrue();
        // Committed predictions of later events: checkpoints completed with the event in flight.
        KAFKA.clients().publish(events, keyedBySession(later));
        awaitPredictions(KAFKA.clients(), conf, first.size() - 1 + later.size());
        assertThat(committedOffsets(conf.get(ScoringOptions.GROUP_ID)))
                .as("offsets the consumer group holds")
                .isEmpty();
        holding.cancel().get();

        JobClient fresh = JobRuns.start(conf, TestJobs.PARALLELISM, "source-offsets-fresh");
        List<Prediction> predictions =
                KAFKA.clients()
                        .readCommitted(
                                topic(conf, ScoringOptions.PREDICTIONS_TOPIC),
                                Prediction.class,
                                read -> read.stream().anyMatch(p -> p.getEventId().equals(held)),
                                JobRuns.READ_TIMEOUT);
        fresh.cancel().get();

        assertThat(predictions)
                .filteredOn(p -> p.getEventId().equals(held))
                .as("predictions of the event the first job held")
                .hasSize(1);
    }

    private static java.util.Map<?, ?> committedOffsets(String group) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
    }

    /** Passes every result on at once, except the armed event's: that one it never completes. */
    static final class HoldOne implements AsyncFunction<InferenceResult, InferenceResult> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean HOLDING = new AtomicBoolean();
        private static volatile String heldEventId;

        static void arm(String eventId) {
            heldEventId = eventId;
            HOLDING.set(false);
        }

        @Override
        public void asyncInvoke(InferenceResult result, ResultFuture<InferenceResult> future) {
            if (result.request.eventId.equals(heldEventId)) {
                HOLDING.set(true);
                return;
            }
            future.complete(List.of(result));
        }
    }
}
