package io.scorestream.operators.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServedVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.testing.RepositoryCopies;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The version served while no rollout is in force is pinned in state: a job restored after a newer
 * version became the repository's latest keeps serving the version it served, unless its settings
 * name a version; a rollout still overrides the pin.
 */
class SessionFeaturizerPinTest {

    private static final ModelTarget MLP_V1 =
            new ModelTarget("fraud-mlp", "1", FeatureLayout.EVENT_WITH_SESSION_AGGREGATES, 0, 24);
    private static final ModelTarget MLP_V2 =
            new ModelTarget("fraud-mlp", "2", FeatureLayout.EVENT_WITH_SESSION_AGGREGATES, 0, 24);

    @TempDir Path cache;
    @TempDir Path repositoryCopy;
    @TempDir Path laterRepository;

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aFirstStartPinsThePlansVersion() throws Exception {
        harness = open(MLP_V1, Set.of(), ReferenceModels.root(), null);

        assertThat(routed("s-1")).isEqualTo("1");
        assertThat(harness.getBroadcastState(ServedVersions.DESCRIPTOR).get("fraud-mlp"))
                .isEqualTo("1");
    }

    @Test
    void aRestoreKeepsServingThePinnedVersionWhenLatestMovedOn() throws Exception {
        harness = open(MLP_V1, Set.of(), ReferenceModels.root(), null);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        // Built again after version 2 was published: 'latest' now resolves to 2.
        harness = open(MLP_V2, Set.of(), ReferenceModels.root(), snapshot);

        assertThat(routed("s-1")).isEqualTo("1");
        OperatorSubtaskState again = harness.snapshot(2, 2);
        harness.close();
        harness = open(MLP_V2, Set.of(), ReferenceModels.root(), again);
        assertThat(routed("s-2")).as("still pinned after a second restore").isEqualTo("1");
    }

    @Test
    void aVersionNamedInTheSettingsReplacesThePin() throws Exception {
        harness = open(MLP_V1, Set.of(), ReferenceModels.root(), null);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = open(MLP_V2, Set.of("fraud-mlp"), ReferenceModels.root(), snapshot);

        assertThat(routed("s-1")).isEqualTo("2");
        assertThat(harness.getBroadcastState(ServedVersions.DESCRIPTOR).get("fraud-mlp"))
                .isEqualTo("2");
    }

    @Test
    void aPinnedVersionThatCanNoLongerServeGivesWayToThePlans() throws Exception {
        RepositoryCopies.copy(repositoryCopy, "fraud-mlp/1");
        harness = open(MLP_V1, Set.of(), repositoryCopy, null);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        // Version 1 was deleted from the repository; 2 was published.
        RepositoryCopies.copy(laterRepository, "fraud-mlp/2");

        harness = open(MLP_V2, Set.of(), laterRepository, snapshot);

        assertThat(routed("s-1")).isEqualTo("2");
    }

    @Test
    void aRolloutInForceOverridesThePin() throws Exception {
        harness = open(MLP_V1, Set.of(), ReferenceModels.root(), null);
        harness.processBroadcastElement(
                ModelRollout.newBuilder()
                        .setRolloutId("r-all")
                        .setModel("fraud-mlp")
                        .setStableVersion("2")
                        .setCandidatePercent(0)
                        .setIssuedAt(Instant.ofEpochMilli(1_000))
                        .setIssuedBy("test")
                        .build(),
                0);

        assertThat(routed("s-1")).isEqualTo("2");
    }

    private String routed(String session) throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processElement(
                SessionFeaturizerTest.decoded(
                        InferenceEvent.newBuilder()
                                .setEventId(session + "-0")
                                .setSessionId(session)
                                .setEventType("click")
                                .setEventTime(Instant.ofEpochMilli(1_000L))
                                .setFeatures(List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f))
                                .build()),
                0);
        return harness.extractOutputValues().get(before).primary.version;
    }

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            open(
                    ModelTarget planned,
                    Set<String> configured,
                    Path repository,
                    OperatorSubtaskState restoreFrom)
                    throws Exception {
        RoutableVersions versions =
                new RoutableVersions(
                        ServingPlan.single(planned),
                        repository.toString(),
                        cache,
                        SessionFeaturesTest.SPEC,
                        16);
        var opened =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new SessionFeaturizer(
                                        SessionFeaturesTest.SPEC,
                                        16,
                                        versions,
                                        Duration.ofHours(1),
                                        configured),
                                List.of(RolloutState.DESCRIPTOR)),
                        (DecodedEvent e) -> e.sessionId(),
                        Types.STRING,
                        128,
                        1,
                        0);
        opened.setStateBackend(new HashMapStateBackend());
        if (restoreFrom != null) {
            opened.initializeState(restoreFrom);
        }
        opened.open();
        return opened;
    }
}
