package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one inference operator instance calls, each with its metrics: the running
 * service comes from {@code services} (the operator's {@link ModelResidency}) on every call, so a
 * version unloaded while idle is simply started again. A version that cannot be started (missing,
 * corrupt, over the residency bound) is remembered as unavailable and retried after a pause, so a
 * bad rollout costs one failed load per pause, not one per event, and the versions already serving
 * keep serving.
 */
final class ModelEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ModelEndpoints.class);

    /** How long a version that failed to start is not tried again. */
    static final long RETRY_UNAVAILABLE_NANOS = 30_000_000_000L;

    /**
     * A model version as this operator instance sees it; {@code service} is null if unavailable.
     */
    record Endpoint(InferenceService service, InferenceMetrics metrics) {}

    private final Function<ModelInput, InferenceService> services;
    private final MetricGroup metrics;
    private final Clock clock;
    private final Map<String, Long> unavailableUntil = new HashMap<>();
    private final Map<String, InferenceMetrics> metricsByVersion = new HashMap<>();

    ModelEndpoints(
            Function<ModelInput, InferenceService> services, MetricGroup metrics, Clock clock) {
        this.services = services;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The endpoint of {@code version}, starting (or joining) its service if it is not running. */
    synchronized Endpoint endpoint(ModelInput version) {
        String label = version.label();
        InferenceMetrics versionMetrics =
                metricsByVersion.computeIfAbsent(
                        label, l -> new InferenceMetrics(metrics, version));
        Long retryAt = unavailableUntil.get(label);
        if (retryAt != null && clock.nanoTime() - retryAt < 0) {
            return new Endpoint(null, versionMetrics);
        }
        try {
            InferenceService service = services.apply(version);
            unavailableUntil.remove(label);
            versionMetrics.attach(service);
            return new Endpoint(service, versionMetrics);
        } catch (RuntimeException e) {
            LOG.error(
                    "model {} is unavailable, its events take the fallback chain; retrying in {} s",
                    label,
                    RETRY_UNAVAILABLE_NANOS / 1_000_000_000L,
                    e);
            unavailableUntil.put(label, clock.nanoTime() + RETRY_UNAVAILABLE_NANOS);
            versionMetrics.attach(null);
            return new Endpoint(null, versionMetrics);
        }
    }
}
