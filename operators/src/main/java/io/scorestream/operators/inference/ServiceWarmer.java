package io.scorestream.operators.inference;

import io.scorestream.operators.registry.GpuAssignment;
import io.scorestream.operators.routing.VersionWarmer;
import io.scorestream.operators.time.Clock;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Loads model versions into this TaskManager's JVM-wide {@link InferenceServices}, under the key
 * and with the factory the {@link InferenceFunction} of the same settings uses, so that the
 * inference operator finds them loaded. For the routing step, which admits rollouts before they
 * come in force (see {@link VersionWarmer}).
 *
 * <p>A warmed version is held for {@code scorestream.model.idle-unload} from its last warming, or
 * until the warmer closes, then released like any version nobody calls: it stays loaded while an
 * inference operator uses it. It counts towards {@code scorestream.model.max-resident}; a version
 * that would pass the bound is not warmed (the returned future fails with a {@link
 * ModelCapacityException}).
 */
public final class ServiceWarmer implements VersionWarmer {
    private static final long serialVersionUID = 1L;

    private final InferenceSettings settings;

    private transient OptionalInt assignedGpu;
    private transient Clock clock;
    private transient WarmHolds holds;

    /**
     * @param settings the inference operator's settings
     */
    public ServiceWarmer(InferenceSettings settings) {
        this.settings = settings;
    }

    /** Holds warmed versions, and batches, on {@code testClock}. Call before {@link #warm}. */
    ServiceWarmer withClock(Clock testClock) {
        this.clock = testClock;
        return this;
    }

    @Override
    public void open(RuntimeContext context) {
        assignedGpu = GpuAssignment.fromRuntimeContext(context);
    }

    @Override
    public CompletableFuture<InferenceService> warm(String model, String version) {
        if (clock == null) {
            clock = Clock.system();
        }
        if (holds == null) {
            holds = new WarmHolds(clock);
        }
        InferenceServices.Key key =
                InferenceFunction.serviceKey(settings, new ModelInput(model, version, null));
        InferenceServiceFactory factory =
                new InferenceServiceFactory(
                        settings, assignedGpu == null ? OptionalInt.empty() : assignedGpu, clock);
        try {
            return holds.hold(
                    key,
                    () -> factory.apply(key),
                    settings.registry().maxResident(),
                    settings.registry().idleUnload());
        } catch (ModelCapacityException full) {
            return CompletableFuture.failedFuture(full);
        }
    }

    /** Releases the versions held warm longer than the idle-unload time; returns how many. */
    int releaseEnded() {
        return holds == null ? 0 : holds.releaseEnded();
    }

    /** Releases every version this warmer holds. */
    @Override
    public void close() {
        if (holds != null) {
            holds.close();
            holds = null;
        }
    }
}
