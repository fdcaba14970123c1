package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.features.SessionFeaturizer;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.registry.RegistrySettings;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-warming: a rollout's versions load in the TaskManager's shared services before it comes in
 * force, the inference operator serves them without loading them again, and a warmed version nobody
 * calls is released after the idle-unload time.
 */
class ServiceWarmerTest {

    private static final Duration IDLE_UNLOAD = RegistrySettings.DEFAULTS.idleUnload();
    private static final ModelManifest MLP_V1 =
            ModelRepository.at(ReferenceModels.root()).resolve("fraud-mlp", "1").manifest();
    private static final EventSpec SPEC = EventSpec.of(MLP_V1.featureSpec());
    private static final InferenceSettings SETTINGS =
            TestSettings.settings(
                    ReferenceModels.root().toString(), new BatchingConfig(8, Duration.ZERO, 64, 1));
    private static final InferenceServices.Key V2 =
            new InferenceServices.Key(ReferenceModels.root().toString(), "fraud-mlp", "2", "cpu");

    @TempDir Path cache;

    private final ManualClock clock = new ManualClock();
    private final ServiceWarmer warmer = new ServiceWarmer(SETTINGS).withClock(clock);

    @BeforeEach
    void v2IsNotLoaded() {
        assertThat(InferenceServices.resident()).as("left by another test").doesNotContainKey(V2);
    }

    @AfterEach
    void releaseTheHolds() {
        warmer.close();
        assertThat(InferenceServices.resident()).doesNotContainKey(V2);
    }

    @Test
    void aRolloutsCandidateIsLoadedBeforeItComesInForceAndServedWithoutAnotherLoad()
            throws Exception {
        int startsBefore = InferenceServices.starts(V2);
        try (var featurizer = featurizer()) {
            featurizer.processBroadcastElement(rollout("r-50", "2", 50), 0);

            assertThat(InferenceServices.loaded(V2))
                    .as("loaded before any event is routed to it")
                    .isTrue();
            for (int s = 0; s < 40; s++) {
                featurizer.processElement(event("session-" + s), 0);
            }
            List<InferenceRequest> requests =
                    featurizer.extractOutputValues().stream()
                            .filter(request -> request.primary.version.equals("2"))
                            .toList();
            assertThat(requests).isNotEmpty();

            List<InferenceResult> results = score(requests);

            assertThat(results)
                    .hasSize(requests.size())
                    .allSatisfy(
                            result -> {
                                assertThat(result.outcome)
                                        .isEqualTo(InferenceResult.Outcome.SCORED);
                                assertThat(result.modelVersion).isEqualTo("2");
                            });
            assertThat(InferenceServices.starts(V2) - startsBefore)
                    .as("the operator found the warmed version loaded")
                    .isEqualTo(1);
            assertThat(InferenceServices.resident()).as("held warm still").containsKey(V2);
        }
        assertThat(InferenceServices.resident())
                .as("released when the routing step closed")
                .doesNotContainKey(V2);
    }

    @Test
    void aCandidateWithoutTrafficIsNotLoaded() throws Exception {
        try (var featurizer = featurizer()) {
            featurizer.processBroadcastElement(rollout("r-0", "2", 0), 0);
        }
        assertThat(InferenceServices.resident()).doesNotContainKey(V2);
    }

    @Test
    void aWarmedVersionNobodyCallsIsReleasedAfterTheIdleUnloadTime() throws Exception {
        warmer.warm("fraud-mlp", "2").get(30, TimeUnit.SECONDS);
        clock.advance(IDLE_UNLOAD.minusSeconds(1));
        warmer.warm("fraud-mlp", "2").get(30, TimeUnit.SECONDS); // warmed again: held longer

        clock.advance(IDLE_UNLOAD.minusSeconds(1));
        assertThat(warmer.releaseEnded()).isZero();
        assertThat(InferenceServices.loaded(V2)).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(warmer.releaseEnded()).isEqualTo(1);
        assertThat(InferenceServices.resident()).doesNotContainKey(V2);
    }

    @Test
    void aWarmedVersionAnOperatorCallsStaysLoadedWhenItsHoldEnds() throws Exception {
        InferenceService warmed = warmer.warm("fraud-mlp", "2").get(30, TimeUnit.SECONDS);
        try (ModelResidency operator =
                new ModelResidency(
                        4,
                        IDLE_UNLOAD,
                        clock,
                        key -> {
                            throw new AssertionError("loaded again");
                        })) {
            assertThat(operator.serviceFor(V2).get(30, TimeUnit.SECONDS)).isSameAs(warmed);

            clock.advance(IDLE_UNLOAD);
            assertThat(warmer.releaseEnded()).isEqualTo(1);

            assertThat(InferenceServices.users(V2)).isEqualTo(1);
            assertThat(warmed.submit(new float[24]).get(30, TimeUnit.SECONDS).scores()).hasSize(1);
        }
    }

    // ---------------------------------------------------------------------------------------

    private KeyedBroadcastOperatorTestHarness<String, DecodedEvent, ModelRollout, InferenceRequest>
            featurizer() throws Exception {
        RoutableVersions versions =
                new RoutableVersions(
                                ServingPlan.single(ModelTarget.of(MLP_V1)),
                                SETTINGS.modelRepository(),
                                cache,
                                SPEC,
                                16)
                        .warmingWith(warmer);
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new SessionFeaturizer(SPEC, 16, versions, Duration.ofHours(1)),
                                List.of(RolloutState.DESCRIPTOR)),
                        (DecodedEvent e) -> e.sessionId(),
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        return harness;
    }

    /** The requests through an inference operator serving fraud-mlp v1 with the same settings. */
    private List<InferenceResult> score(List<InferenceRequest> requests) throws Exception {
        try (var inference =
                new OneInputStreamOperatorTestHarness<>(
                        new InferenceOperatorFactory(
                                new InferenceFunction(ModelTarget.of(MLP_V1), SETTINGS),
                                Duration.ofMinutes(1),
                                8),
                        TypeInformation.of(RequestBundle.class)
                                .createSerializer(new SerializerConfigImpl()))) {
            inference.open();
            inference.processElement(
                    new RequestBundle(requests.toArray(new InferenceRequest[0])), 1);
            inference.endInput();
            return inference.extractOutputValues();
        }
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

    /** An event of {@code session} as the decoder emits it. */
    private static DecodedEvent event(String session) {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId(session + "-0")
                        .setSessionId(session)
                        .setEventType("click")
                        .setEventTime(Instant.ofEpochMilli(1_000))
                        .setFeatures(List.of(1f, 1f, 0.5f, 0.2f, 0.1f, 1f))
                        .build();
        return new DecodedEvent(
                event,
                new RawRecord(
                        session.getBytes(StandardCharsets.UTF_8),
                        AvroCodec.of(InferenceEvent.class).encode(event),
                        "events",
                        0,
                        0,
                        1_000));
    }
}
