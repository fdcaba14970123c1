package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one inference operator instance calls: a lease on each one's shared {@link
 * InferenceService} and its metrics, taken on first use. A version that cannot be started (missing,
 * corrupt, over the residency bound) is remembered as unavailable and retried after a pause, so a
 * bad rollout costs one failed load per pause, not one per event, and the versions already serving
 * keep serving.
 */
final class ModelEndpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelEndpoints.class);

    /** How long a version that failed to start is not tried again. */
    static final long RETRY_UNAVAILABLE_NANOS = 30_000_000_000L;

    /**
     * A model version as this operator instance sees it; {@code service} is null if unavailable.
     */
    record Endpoint(InferenceService service, InferenceMetrics metrics) {}

    private record Unavailable(Endpoint endpoint, long retryAtNanos) {}

    private final Function<ModelInput, InferenceServices.Lease> acquire;
    private final MetricGroup metrics;
    private final Clock clock;
    private final Map<String, InferenceServices.Lease> leases = new HashMap<>();
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final Map<String, Unavailable> unavailable = new HashMap<>();
    private final Map<String, InferenceMetrics> metricsByVersion = new HashMap<>();

    ModelEndpoints(
            Function<ModelInput, InferenceServices.Lease> acquire,
            MetricGroup metrics,
            Clock clock) {
        this.acquire = acquire;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The endpoint of {@code version}, starting (or joining) its service on first use. */
    synchronized Endpoint endpoint(ModelInput version) {
        String label = version.label();
        Endpoint endpoint = endpoints.get(label);
        if (endpoint != null) {
            return endpoint;
        }
        Unavailable known = unavailable.get(label);
        if (known != null && clock.nanoTime() - known.retryAtNanos() < 0) {
            return known.endpoint();
        }
        try {
            InferenceServices.Lease lease = acquire.apply(version);
            leases.put(label, lease);
            unavailable.remove(label);
            endpoint = new Endpoint(lease.service(), metricsFor(version, lease.service()));
            endpoints.put(label, endpoint);
            return endpoint;
        } catch (RuntimeException e) {
            LOG.error(
                    "model {} is unavailable, its events take the fallback chain; retrying in {} s",
                    label,
                    RETRY_UNAVAILABLE_NANOS / 1_000_000_000L,
                    e);
            Endpoint none = new Endpoint(null, metricsFor(version, null));
            unavailable.put(
                    label, new Unavailable(none, clock.nanoTime() + RETRY_UNAVAILABLE_NANOS));
            return none;
        }
    }

    private InferenceMetrics metricsFor(ModelInput version, InferenceService service) {
        InferenceMetrics versionMetrics =
                metricsByVersion.computeIfAbsent(
                        version.label(), label -> new InferenceMetrics(metrics, version));
        versionMetrics.attach(service);
        return versionMetrics;
    }

    /** Model versions with a running service for this operator instance. */
    synchronized int started() {
        return endpoints.size();
    }

    @Override
    public synchronized void close() {
        leases.values().forEach(InferenceServices.Lease::close);
        leases.clear();
        endpoints.clear();
    }
}
