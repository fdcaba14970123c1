package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JVM-wide registry of services: where and when a service's model loads, and unloads. */
class InferenceServicesTest {

    private final ScriptedModel model = new ScriptedModel("fraud-mlp", "1", ScriptedModel.ECHO);
    private final InferenceServices.Key key =
            new InferenceServices.Key("registry-" + UUID.randomUUID(), "fraud-mlp", "1", "cpu");
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile Thread loadedOn;
    private volatile ClassLoader loadedWith;

    /** Loads {@link #model} when the gate opens. */
    private final Supplier<InferenceService> gatedLoad =
            () -> {
                loadedOn = Thread.currentThread();
                loadedWith = Thread.currentThread().getContextClassLoader();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new InferenceService(
                        model,
                        new BatchingConfig(8, Duration.ZERO, 64, 1),
                        CacheConfig.off(),
                        BreakerConfig.off(),
                        new ManualClock());
            };

    @AfterEach
    void openGate() {
        gate.countDown();
    }

    @Test
    void aServiceStartsOnALoaderThreadWithTheCallersClassLoader() throws Exception {
        ClassLoader jobClassLoader = new ClassLoader(getClass().getClassLoader()) {};
        Thread.currentThread().setContextClassLoader(jobClassLoader);
        InferenceServices.Lease lease;
        try {
            lease = InferenceServices.acquire(key, gatedLoad);
        } finally {
            Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
        }
        try (lease) {
            assertThat(lease.service()).isNotDone();
            assertThat(InferenceServices.resident()).containsEntry(key, 1);
            assertThat(InferenceServices.loaded(key)).isFalse();

            gate.countDown();

            assertThat(lease.service().get(30, TimeUnit.SECONDS).manifest().name())
                    .isEqualTo("fraud-mlp");
            assertThat(InferenceServices.loaded(key)).isTrue();
            assertThat(loadedOn.getName()).startsWith("model-loader-");
            assertThat(loadedWith).isSameAs(jobClassLoader);
        }
    }

    @Test
    void aServiceReleasedWhileItLoadsIsClosedOnceLoaded() throws Exception {
        InferenceServices.Lease lease = InferenceServices.acquire(key, gatedLoad);
        lease.close();
        assertThat(InferenceServices.resident()).doesNotContainKey(key);

        gate.countDown();

        model.awaitClosed();
        assertThatThrownBy(() -> lease.service().get().submit(new float[] {1f}))
                .as("its service was closed with the model")
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    @Test
    void aLoadThatFailsWithAnErrorFailsItsUsersAndLeavesNoService() {
        InferenceServices.Lease lease =
                InferenceServices.acquire(
                        key,
                        () -> {
                            throw new UnsatisfiedLinkError("libtorch.so: cannot open");
                        });
        try (lease) {
            assertThatThrownBy(() -> lease.service().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnsatisfiedLinkError.class);
            assertThat(InferenceServices.resident()).doesNotContainKey(key);
        }
    }
}
