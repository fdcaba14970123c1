package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.Clock;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The residency bound and idle unloading, on real services of fraud-mlp v1 (each key loads its own
 * copy), with time moved by hand.
 */
class ModelResidencyTest {

    private static final Duration IDLE = Duration.ofMinutes(10);
    private static final float[] ROW = new float[24];

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger loads = new AtomicInteger();
    private final Function<InferenceServices.Key, InferenceService> factory =
            key -> {
                loads.incrementAndGet();
                return new InferenceService(
                        ModelLoader.load(
                                ModelRepository.at(ReferenceModels.root())
                                        .resolve("fraud-mlp", "1"),
                                LoadOptions.defaults().withWarmupIterations(0)),
                        new BatchingConfig(8, Duration.ZERO, 64, 1),
                        Clock.system());
            };

    /** Keys of this test only: the registry of running services is JVM-wide. */
    private String repository;

    @BeforeEach
    void noServiceRuns() {
        assertThat(InferenceServices.running()).as("services left by other tests").isZero();
        repository = "residency-" + UUID.randomUUID();
    }

    @AfterEach
    void everyServiceIsReleased() {
        assertThat(InferenceServices.running()).isZero();
    }

    /** The service of {@code version} as {@code residency} holds it, once loaded. */
    private InferenceService serve(ModelResidency residency, String version) throws Exception {
        return residency.serviceFor(key(version)).get(30, TimeUnit.SECONDS);
    }

    private InferenceServices.Key key(String version) {
        return new InferenceServices.Key(repository, "fraud-mlp", version, "cpu");
    }

    @Test
    void servicesStartLazilyOncePerKeyAndScore() throws Exception {
        try (ModelResidency residency = new ModelResidency(4, IDLE, clock, factory)) {
            assertThat(loads).hasValue(0);
            InferenceService service = serve(residency, "a");
            assertThat(serve(residency, "a")).isSameAs(service);
            assertThat(loads).hasValue(1);
            assertThat(service.submit(ROW).get(30, TimeUnit.SECONDS).scores()).hasSize(1);
            assertThat(residency.held()).containsExactly(key("a"));
        }
    }

    @Test
    void startingBeyondTheBoundIsRefusedNamingTheSettingAndWhatIsResident() throws Exception {
        try (ModelResidency residency = new ModelResidency(2, IDLE, clock, factory)) {
            serve(residency, "a");
            serve(residency, "b");

            assertThatThrownBy(() -> residency.serviceFor(key("c")))
                    .isInstanceOf(ModelCapacityException.class)
                    .hasMessage(
                            "cannot load fraud-mlp vc on cpu: scorestream.model.max-resident = 2"
                                    + " and 2 model versions are resident in this TaskManager:"
                                    + " fraud-mlp va on cpu (1 user), fraud-mlp vb on cpu (1 user)."
                                    + " Raise scorestream.model.max-resident, or let unused"
                                    + " versions unload first (scorestream.model.idle-unload)");
            assertThat(loads).as("nothing loaded for the refused key").hasValue(2);
            assertThat(InferenceServices.running()).isEqualTo(2);
        }
    }

    @Test
    void atTheBoundAnIdleServiceMakesRoomButABusyOneDoesNot() throws Exception {
        try (ModelResidency residency = new ModelResidency(2, IDLE, clock, factory)) {
            serve(residency, "a");
            serve(residency, "b");
            clock.advance(IDLE.plusSeconds(1));
            serve(residency, "a"); // in use again

            serve(residency, "c");

            assertThat(residency.held()).containsExactlyInAnyOrder(key("a"), key("c"));
            assertThat(InferenceServices.users(key("b"))).isZero();
            assertThatThrownBy(() -> residency.serviceFor(key("d")))
                    .as("a and c were used just now")
                    .isInstanceOf(ModelCapacityException.class);
        }
    }

    @Test
    void joiningARunningServiceIsAllowedAtTheBound() throws Exception {
        try (ModelResidency first = new ModelResidency(1, IDLE, clock, factory);
                ModelResidency second = new ModelResidency(1, IDLE, clock, factory)) {
            InferenceService service = serve(first, "a");

            assertThat(serve(second, "a")).isSameAs(service);
            assertThat(InferenceServices.users(key("a"))).isEqualTo(2);
            assertThat(loads).hasValue(1);
        }
    }

    @Test
    void servicesUnusedLongerThanTheIdleTimeoutAreUnloaded() throws Exception {
        try (ModelResidency residency = new ModelResidency(4, IDLE, clock, factory)) {
            InferenceService a = serve(residency, "a");
            clock.advance(Duration.ofMinutes(5));
            serve(residency, "b");
            clock.advance(Duration.ofMinutes(5));
            assertThat(residency.releaseIdle()).as("a idle for exactly 10 min: kept").isZero();

            clock.advance(Duration.ofSeconds(1));
            assertThat(residency.releaseIdle()).isEqualTo(1);

            assertThat(residency.held()).containsExactly(key("b"));
            assertThat(InferenceServices.users(key("a"))).isZero();
            assertThatThrownBy(() -> a.submit(ROW))
                    .as("its model is unloaded")
                    .isInstanceOf(RejectedExecutionException.class);

            clock.advance(Duration.ofMinutes(5));
            assertThat(residency.releaseIdle()).isEqualTo(1);
            assertThat(InferenceServices.running()).isZero();

            serve(residency, "a");
            assertThat(loads).as("a used again loads again").hasValue(3);
        }
    }

    @Test
    void anIdleReleaseKeepsAServiceOtherOperatorsStillUse() throws Exception {
        try (ModelResidency idle = new ModelResidency(4, IDLE, clock, factory);
                ModelResidency busy = new ModelResidency(4, IDLE, clock, factory)) {
            InferenceService service = serve(idle, "a");
            clock.advance(IDLE.plusMinutes(1));
            serve(busy, "a");

            assertThat(idle.releaseIdle()).isEqualTo(1);
            assertThat(busy.releaseIdle()).isZero();

            assertThat(InferenceServices.users(key("a"))).isEqualTo(1);
            assertThat(service.submit(ROW).get(30, TimeUnit.SECONDS).scores()).hasSize(1);
        }
    }

    @Test
    void closeReleasesEverythingAndRefusesNewUse() throws Exception {
        ModelResidency residency = new ModelResidency(4, IDLE, clock, factory);
        serve(residency, "a");
        serve(residency, "b");

        residency.close();

        assertThat(InferenceServices.running()).isZero();
        assertThat(residency.held()).isEmpty();
        assertThatThrownBy(() -> residency.serviceFor(key("a")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badBoundsAreRejected() {
        assertThatThrownBy(() -> new ModelResidency(0, IDLE, clock, factory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxResident must be >= 1: 0");
        assertThatThrownBy(() -> new ModelResidency(1, Duration.ZERO, clock, factory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleUnload must be positive: PT0S");
    }
}
