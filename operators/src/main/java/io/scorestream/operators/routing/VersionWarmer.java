package io.scorestream.operators.routing;

import java.io.Serializable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Gets a model version ready to serve in this TaskManager before traffic moves to it: when a
 * rollout naming it is admitted, the routing step asks the warmer to load it where the inference
 * operator will look for it, so that the first events routed to it do not wait for a load. What
 * loading means (which engine, device, service) is the warmer's business, not the router's.
 */
public interface VersionWarmer extends Serializable {

    /** Binds the warmer to the task it runs in (its TaskManager's GPU, say); from {@code open}. */
    default void open(RuntimeContext context) {}

    /**
     * Starts loading {@code model:version} and returns at once.
     *
     * @return completes when the version is ready to serve, exceptionally when it could not load
     */
    CompletableFuture<?> warm(String model, String version);

    /** Lets go of what it loaded; from {@code close}. */
    default void close() {}

    /** A warmer that does nothing: versions load when their first event needs them. */
    static VersionWarmer none() {
        return (model, version) -> CompletableFuture.completedFuture(null);
    }
}
