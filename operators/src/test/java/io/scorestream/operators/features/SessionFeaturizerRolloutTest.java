package io.scorestream.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.testing.RepositoryCopies;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The featurizer as the routing step of a live rollout: the rollout in force comes from broadcast
 * state, each session keeps its version, a snapshot holds the rollout, and a rollout naming a
 * version that cannot serve is refused while the one in force keeps serving.
 */
class SessionFeaturizerRolloutTest {

    private static final ModelTarget MLP_V1 =
            new ModelTarget("fraud-mlp", "1", FeatureLayout.EVENT_WITH_SESSION_AGGREGATES, 0, 24);
    private static final int SESSIONS = 4_000;

    @TempDir Path repositoryCopy;
    @TempDir Path cache;

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aCanaryTakesItsShareOfSessionsWhichKeepTheirVersionAsItGrows() throws Exception {
        harness = open(ReferenceModels.root(), null);
        ModelRollout canary = rollout("r-10", "2", 10);
        harness.processBroadcastElement(canary, 0);

        Map<String, String> versionBySession = routeFirstEvents(0);
        long onCandidate = versionBySession.values().stream().filter("2"::equals).count();
        assertThat(onCandidate / (double) SESSIONS).isCloseTo(0.10, within(0.02));
        assertThat(harness.extractOutputValues()).allMatch(r -> "r-10".equals(r.rolloutId));

        harness.processBroadcastElement(rollout("r-50", "2", 50), 0);
        Map<String, String> later = routeFirstEvents(1);
        versionBySession.forEach(
                (session, version) -> {
                    if (version.equals("2")) {
                        assertThat(later.get(session))
                                .as("%s stays on the candidate", session)
                                .isEqualTo("2");
                    }
                });
        long nowOnCandidate = later.values().stream().filter("2"::equals).count();
        assertThat(nowOnCandidate / (double) SESSIONS).isCloseTo(0.50, within(0.03));
    }

    @Test
    void aSnapshotHoldsTheRolloutInForce() throws Exception {
        harness = open(ReferenceModels.root(), null);
        harness.processBroadcastElement(rollout("r-all", "2", 100), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = open(ReferenceModels.root(), snapshot);
        harness.processElement(SessionFeaturizerTest.decoded(event("s-1", 0)), 0);

        InferenceRequest request = harness.extractOutputValues().get(0);
        assertThat(request.primary.version).isEqualTo("2");
        assertThat(request.rolloutId).isEqualTo("r-all");
    }

    @Test
    void aRolloutToAMissingOrCorruptVersionIsRefusedAndTheOneInForceKeepsServing()
            throws Exception {
        Path repository = repositoryWithCorruptVersion3();
        harness = open(repository, null);
        harness.processBroadcastElement(rollout("r-good", "2", 100), 0);
        harness.processBroadcastElement(rollout("r-missing", "7", 100), 0);
        harness.processBroadcastElement(rollout("r-corrupt", "3", 100), 0);

        harness.processElement(SessionFeaturizerTest.decoded(event("s-1", 0)), 0);

        InferenceRequest request = harness.extractOutputValues().get(0);
        assertThat(request.primary.version).isEqualTo("2");
        assertThat(request.rolloutId).isEqualTo("r-good");
        assertThat(
                        harness.getBroadcastState(RolloutState.DESCRIPTOR)
                                .get("fraud-mlp")
                                .getRolloutId())
                .isEqualTo("r-good");
    }

    // ---------------------------------------------------------------------------------------

    /** The version each session's {@code index}-th event is routed to. */
    private Map<String, String> routeFirstEvents(int index) throws Exception {
        int before = harness.extractOutputValues().size();
        for (int s = 0; s < SESSIONS; s++) {
            harness.processElement(SessionFeaturizerTest.decoded(event("session-" + s, index)), 0);
        }
        Map<String, String> versions = new HashMap<>();
        for (InferenceRequest request :
                harness.extractOutputValues().subList(before, before + SESSIONS)) {
            versions.put(request.sessionId, request.primary.version);
        }
        return versions;
    }

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            open(Path repository, OperatorSubtaskState restoreFrom) throws Exception {
        RoutableVersions versions =
                new RoutableVersions(
                        ServingPlan.single(MLP_V1),
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
                                        Duration.ofHours(1)),
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

    /** The reference models plus fraud-mlp version 3: version 2's files, one byte flipped. */
    private Path repositoryWithCorruptVersion3() {
        RepositoryCopies.copy(repositoryCopy, "fraud-mlp/1", "fraud-mlp/2");
        Path corrupt = RepositoryCopies.copyAs(repositoryCopy, "fraud-mlp", "2", "3");
        RepositoryCopies.flipAByte(corrupt.resolve("model.pt"));
        return repositoryCopy;
    }

    private static ModelRollout rollout(String id, String candidate, int percent) {
        return ModelRollout.newBuilder()
                .setRolloutId(id)
                .setModel("fraud-mlp")
                .setStableVersion("1")
                .setCandidateVersion(candidate)
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.ofEpochMilli(1_000))
                .setIssuedBy("test")
                .build();
    }

    private static InferenceEvent event(String session, int index) {
        return InferenceEvent.newBuilder()
                .setEventId(session + "-" + index)
                .setSessionId(session)
                .setEventType("click")
                .setEventTime(Instant.ofEpochMilli(1_000L + index * 1_000L))
                .setFeatures(List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f))
                .build();
    }
}
