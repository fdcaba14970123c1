package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one inference operator instance calls, each with its metrics: the running
 * service comes from {@code services} (the operator's {@link ModelResidency}), so a version
 * unloaded while idle is simply started again. A version still loading is handed out as such, with
 * the future of its load, and its callers wait for it without blocking. A version that cannot be
 * started (missing, corrupt, over the residency bound, a failed load) is remembered as unavailable
 * and retried after a pause, so a bad rollout costs one failed load per pause, not one per event,
 * and the versions already serving keep serving.
 *
 * <p>A running version's endpoint is reused for {@code reuseFor} before {@code services} is asked
 * again (which also marks the version used): asking for every request cost the operator's thread a
 * label, a key and two synchronized map lookups per event.
 */
final class ModelEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ModelEndpoints.class);

    /** How long a version that failed to start is not tried again. */
    static final long RETRY_UNAVAILABLE_NANOS = 30_000_000_000L;

    /**
     * A model version as this operator instance sees it: running ({@code service}), loading ({@code
     * loading} completes when it is ready or failed), or unavailable (both null).
     */
    record Endpoint(
            InferenceService service,
            CompletableFuture<InferenceService> loading,
            InferenceMetrics metrics) {}

    /** One version's metrics and what is known of its service. */
    private static final class Slot {
        final String label;
        final InferenceMetrics metrics;
        final Endpoint unavailableEndpoint;

        /** The version running or loading; null when unknown or unavailable. */
        Endpoint endpoint;

        long resolvedAtNanos;
        long unavailableUntilNanos;
        boolean unavailable;

        Slot(String label, InferenceMetrics metrics) {
            this.label = label;
            this.metrics = metrics;
            this.unavailableEndpoint = new Endpoint(null, null, metrics);
        }
    }

    private final Function<ModelInput, CompletableFuture<InferenceService>> services;
    private final MetricGroup metrics;
    private final Clock clock;
    private final long reuseNanos;

    /** Slots by model name, then version. */
    private final Map<String, Map<String, Slot>> slots = new HashMap<>();

    /**
     * @param services the service of a version, loading or loaded
     * @param reuseFor how long a running version's service is used without asking {@code services};
     *     shorter than the residency's idle unload, so a version in use is never seen as idle
     */
    ModelEndpoints(
            Function<ModelInput, CompletableFuture<InferenceService>> services,
            MetricGroup metrics,
            Clock clock,
            Duration reuseFor) {
        this.services = services;
        this.metrics = metrics;
        this.clock = clock;
        this.reuseNanos = reuseFor.toNanos();
    }

    /**
     * The endpoint of {@code version}, starting (or joining) its service if it is not running.
     * Never waits for a load.
     */
    synchronized Endpoint endpoint(ModelInput version) {
        Map<String, Slot> versions = slots.computeIfAbsent(version.model, model -> new HashMap<>());
        Slot slot = versions.get(version.version);
        if (slot == null) {
            slot = new Slot(version.label(), new InferenceMetrics(metrics, version));
            versions.put(version.version, slot);
        }
        long now = clock.nanoTime();
        Endpoint known = slot.endpoint;
        if (known != null) {
            if (known.loading() != null) {
                return known.loading().isDone() ? resolve(slot, known.loading(), now) : known;
            }
            if (now - slot.resolvedAtNanos < reuseNanos) {
                return known;
            }
        }
        if (slot.unavailable && now - slot.unavailableUntilNanos < 0) {
            return slot.unavailableEndpoint;
        }
        CompletableFuture<InferenceService> service;
        try {
            service = services.apply(version);
        } catch (RuntimeException e) {
            return unavailable(slot, e, now);
        }
        if (!service.isDone()) {
            slot.endpoint = new Endpoint(null, service, slot.metrics);
            return slot.endpoint;
        }
        return resolve(slot, service, now);
    }

    /** The endpoint of a version whose load has ended. */
    private Endpoint resolve(Slot slot, CompletableFuture<InferenceService> loaded, long now) {
        InferenceService service;
        try {
            service = loaded.join();
        } catch (CompletionException | CancellationException e) {
            return unavailable(slot, e.getCause() != null ? e.getCause() : e, now);
        }
        slot.unavailable = false;
        slot.resolvedAtNanos = now;
        if (slot.endpoint == null || slot.endpoint.service() != service) {
            slot.metrics.attach(service);
            slot.endpoint = new Endpoint(service, null, slot.metrics);
        }
        return slot.endpoint;
    }

    private Endpoint unavailable(Slot slot, Throwable error, long now) {
        LOG.error(
                "model {} is unavailable, its events take the fallback chain; retrying in {} s",
                slot.label,
                RETRY_UNAVAILABLE_NANOS / 1_000_000_000L,
                error);
        slot.unavailable = true;
        slot.unavailableUntilNanos = now + RETRY_UNAVAILABLE_NANOS;
        slot.endpoint = null;
        slot.metrics.attach(null);
        return slot.unavailableEndpoint;
    }
}
