package io.scorestream.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionFeaturizerTest {

    private static final Duration TTL = Duration.ofMinutes(30);
    private static final ModelTarget MLP =
            new ModelTarget("fraud-mlp", "1", FeatureLayout.EVENT_WITH_SESSION_AGGREGATES, 0, 24);
    private static final ModelTarget GRU =
            new ModelTarget("intent-gru", "1", FeatureLayout.SESSION_SEQUENCE, 16, 176);

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void emitsGoldenInputsAndKeepsSessionsApartOnRocksDb() throws Exception {
        JsonObject golden = ReferenceModels.syntheticGolden();
        List<SyntheticSession> sessions = ReferenceModels.sessions(golden);
        float[][] expected =
                ReferenceModels.rows(golden.getAsJsonArray("event_with_session_aggregates"));
        harness = open(MLP, new EmbeddedRocksDBStateBackend(), null);

        // Interleave two sessions: each must see only its own history.
        SyntheticSession first = sessions.get(0);
        SyntheticSession second = sessions.get(1);
        int firstRow = 0;
        int secondRow = first.events().size();
        int rounds = Math.max(first.events().size(), second.events().size());
        for (int i = 0; i < rounds; i++) {
            if (i < first.events().size()) {
                harness.processElement(decoded(first.events().get(i)), 0);
                assertInput(last(), first.events().get(i), i + 1, expected[firstRow + i]);
            }
            if (i < second.events().size()) {
                harness.processElement(decoded(second.events().get(i)), 0);
                assertInput(last(), second.events().get(i), i + 1, expected[secondRow + i]);
            }
        }

        SessionState state = state(first.sessionId());
        assertThat(state.count).isEqualTo(first.events().size());
        assertThat(state.lastEventTime)
                .isEqualTo(
                        first.events()
                                .get(first.events().size() - 1)
                                .getEventTime()
                                .toEpochMilli());
        double amountSum =
                first.events().stream().mapToDouble(e -> (double) e.getFeatures().get(0)).sum();
        assertThat(state.sums[0]).isCloseTo(amountSum, within(1e-9));
        assertThat(state(second.sessionId()).count).isEqualTo(second.events().size());
        assertThat(state("never-seen")).isNull();
    }

    @Test
    void buildsSequenceInputsFromTheRingBuffer() throws Exception {
        JsonObject golden = ReferenceModels.syntheticGolden();
        SyntheticSession session = ReferenceModels.sessions(golden).get(0);
        float[][] expected = ReferenceModels.rows(golden.getAsJsonArray("session_sequence"));
        harness = open(GRU, new EmbeddedRocksDBStateBackend(), null);

        for (int i = 0; i < session.events().size(); i++) {
            harness.processElement(decoded(session.events().get(i)), 0);
            assertInput(last(), session.events().get(i), i + 1, expected[i]);
        }
    }

    @Test
    void sessionStateSurvivesSnapshotAndRestore() throws Exception {
        harness = open(MLP, new EmbeddedRocksDBStateBackend(), null);
        harness.processElement(decoded(event("s-1", 0, 1_000)), 0);
        harness.processElement(decoded(event("s-1", 1, 2_000)), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 3_000);
        harness.close();

        harness = open(MLP, new EmbeddedRocksDBStateBackend(), snapshot);
        harness.processElement(decoded(event("s-1", 2, 3_500)), 0);

        InferenceRequest request = last();
        assertThat(request.sessionEventCount).isEqualTo(3);
        assertThat(request.primary.row[11]).as("log1p(gap)").isEqualTo((float) Math.log1p(1.5));
    }

    @Test
    void sessionStateOfEarlierVersionsInThePojoFormatIsMigratedOnRestore() throws Exception {
        // What jobs before the hand-written serializer checkpointed: the same state, name and
        // TTL, written by Flink's POJO serializer.
        ValueStateDescriptor<SessionState> pojo =
                new ValueStateDescriptor<>(SessionFeaturizer.STATE_NAME, SessionState.class);
        pojo.enableTimeToLive(SessionFeaturizer.ttlConfig(TTL));
        var earlier =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new WritesTwoEventSession(pojo)),
                        (String key) -> key,
                        Types.STRING,
                        128,
                        1,
                        0);
        earlier.setStateBackend(new EmbeddedRocksDBStateBackend());
        earlier.open();
        earlier.processElement("s-1", 0);
        OperatorSubtaskState snapshot = earlier.snapshot(1, 3_000);
        earlier.close();

        harness = open(MLP, new EmbeddedRocksDBStateBackend(), snapshot);

        assertThat(state("s-1"))
                .usingRecursiveComparison()
                .isEqualTo(WritesTwoEventSession.state());
        harness.processElement(decoded(event("s-1", 2, 3_500)), 0);
        assertThat(last().sessionEventCount).isEqualTo(3);
        assertThat(last().primary.row[11]).as("log1p(gap)").isEqualTo((float) Math.log1p(1.5));
    }

    /** Writes the state of a session that had two events, the last at 2 000 ms. */
    private static final class WritesTwoEventSession
            extends KeyedProcessFunction<String, String, String> {
        private static final long serialVersionUID = 1L;
        private final ValueStateDescriptor<SessionState> descriptor;

        WritesTwoEventSession(ValueStateDescriptor<SessionState> descriptor) {
            this.descriptor = descriptor;
        }

        static SessionState state() {
            SessionFeatures features = new SessionFeatures(SessionFeaturesTest.SPEC, 16);
            SessionState state = new SessionState();
            features.observe(state, 1, List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f), 1_000);
            features.observe(state, 1, List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f), 2_000);
            return state;
        }

        @Override
        public void processElement(String key, Context ctx, Collector<String> out)
                throws Exception {
            getRuntimeContext().getState(descriptor).update(state());
        }
    }

    @Test
    void aSessionIdleLongerThanItsTtlStartsAfresh() throws Exception {
        harness = open(MLP, new EmbeddedRocksDBStateBackend(), null);
        harness.setStateTtlProcessingTime(0);
        harness.processElement(decoded(event("s-1", 0, 1_000)), 0);
        harness.processElement(decoded(event("s-1", 1, 2_000)), 0);

        harness.setStateTtlProcessingTime(TTL.toMillis() - 1);
        harness.processElement(decoded(event("s-1", 2, 3_000)), 0);
        assertThat(last().sessionEventCount).as("within TTL").isEqualTo(3);

        harness.setStateTtlProcessingTime(2 * TTL.toMillis());
        harness.processElement(decoded(event("s-1", 3, 4_000)), 0);
        assertThat(last().sessionEventCount).as("after TTL").isEqualTo(1);
        assertThat(state("s-1").count).isEqualTo(1);
    }

    @Test
    void expiredSessionsAreLeftOutOfCheckpoints() throws Exception {
        harness = open(MLP, new HashMapStateBackend(), null);
        harness.setStateTtlProcessingTime(0);
        for (int s = 0; s < 5; s++) {
            harness.processElement(decoded(event("s-" + s, 0, 1_000)), 0);
        }
        harness.setStateTtlProcessingTime(TTL.toMillis() / 2);
        harness.processElement(decoded(event("s-live", 0, 2_000)), 0);
        assertThat(numKeyedStateEntries()).isEqualTo(6);

        harness.setStateTtlProcessingTime(TTL.toMillis() + 1);
        OperatorSubtaskState snapshot = harness.snapshot(1, 3_000);
        harness.close();
        harness = open(MLP, new HashMapStateBackend(), snapshot);

        assertThat(numKeyedStateEntries()).as("only s-live survives").isEqualTo(1);
    }

    @Test
    void anEventReplayedAfterTheInferenceStageIsScoredWithoutFoldingItInAgain() throws Exception {
        harness = open(MLP, new EmbeddedRocksDBStateBackend(), null);
        InferenceEvent failed = event("s-1", 1, 2_000);
        harness.processElement(decoded(event("s-1", 0, 1_000)), 0);
        harness.processElement(decoded(failed), 0);
        harness.processElement(decoded(event("s-1", 2, 3_000)), 0);
        SessionState before = state("s-1");

        harness.processElement(replayed(failed, "inference"), 0);

        InferenceRequest request = last();
        assertThat(request.eventId).isEqualTo(failed.getEventId());
        assertThat(request.origin.replayedStage).isEqualTo("inference");
        assertThat(request.sessionEventCount).as("the session's count, unchanged").isEqualTo(3);
        SessionState after = state("s-1");
        assertThat(after.count).isEqualTo(3);
        assertThat(after.sums).containsExactly(before.sums, within(0.0));
        assertThat(after.lastEventTime).isEqualTo(before.lastEventTime);
        assertThat(after.recentHead).isEqualTo(before.recentHead);
        assertThat(request.primary.row[10]).as("log1p(count)").isEqualTo((float) Math.log1p(3));
        assertThat(request.primary.row[11]).as("log1p(gap)").isZero();
    }

    @Test
    void anEventReplayedAfterAnEarlierStageIsFoldedIn() throws Exception {
        harness = open(MLP, new EmbeddedRocksDBStateBackend(), null);
        harness.processElement(decoded(event("s-1", 0, 1_000)), 0);

        harness.processElement(replayed(event("s-1", 1, 2_000), "validate"), 0);
        assertThat(last().sessionEventCount).isEqualTo(2);
        // A replay into a session that expired (or a fresh job) starts the session.
        harness.processElement(replayed(event("s-2", 7, 2_000), "inference"), 0);
        assertThat(last().sessionEventCount).isEqualTo(1);
        assertThat(state("s-2").count).isEqualTo(1);
    }

    @Test
    void refusesAHistoryShorterThanTheModelsSequence() {
        assertThatThrownBy(
                        () ->
                                new SessionFeaturizer(
                                        SessionFeaturesTest.SPEC,
                                        8,
                                        versions(GRU, 8),
                                        Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequence length 16");
    }

    static RoutableVersions versions(ModelTarget target, int history) {
        return new RoutableVersions(
                ServingPlan.single(target),
                ReferenceModels.root().toString(),
                Path.of(System.getProperty("java.io.tmpdir")),
                SessionFeaturesTest.SPEC,
                history);
    }

    static KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            open(ModelTarget target, StateBackend backend, OperatorSubtaskState restoreFrom)
                    throws Exception {
        SessionFeaturizer featurizer =
                new SessionFeaturizer(SessionFeaturesTest.SPEC, 16, versions(target, 16), TTL);
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                featurizer, List.of(RolloutState.DESCRIPTOR)),
                        (DecodedEvent e) -> e.sessionId(),
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private int numKeyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    private InferenceRequest last() {
        List<InferenceRequest> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private SessionState state(String sessionId) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(sessionId);
        ValueState<SessionState> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        SessionFeaturizer.stateDescriptor(TTL));
        return state.value();
    }

    private static void assertInput(
            InferenceRequest request, InferenceEvent event, int position, float[] expected) {
        assertThat(request.eventId).isEqualTo(event.getEventId());
        assertThat(request.origin.key).isEqualTo(event.getSessionId().getBytes());
        assertThat(request.sessionEventCount).isEqualTo(position);
        assertThat(request.primary.row).containsExactly(expected, within(1e-6f));
    }

    /** {@code event} as the decoder emits it, read from offset {@code event}'s index. */
    static DecodedEvent decoded(InferenceEvent event) {
        return new DecodedEvent(
                event,
                new RawRecord(
                        event.getSessionId().getBytes(),
                        AvroCodec.of(InferenceEvent.class).encode(event),
                        "events",
                        0,
                        Math.abs(event.getEventId().hashCode()),
                        event.getEventTime().toEpochMilli()));
    }

    /** {@code event} published again by replay-dlq after {@code stage} dead-lettered it. */
    static DecodedEvent replayed(InferenceEvent event, String stage) {
        DecodedEvent decoded = decoded(event);
        decoded.origin().replayedStage = stage;
        return decoded;
    }

    private static InferenceEvent event(String session, int index, long time) {
        return InferenceEvent.newBuilder()
                .setEventId(session + "-" + index)
                .setSessionId(session)
                .setEventType("click")
                .setEventTime(Instant.ofEpochMilli(time))
                .setFeatures(List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f))
                .build();
    }
}
