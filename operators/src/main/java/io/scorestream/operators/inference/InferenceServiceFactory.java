package io.scorestream.operators.inference;

import io.scorestream.model.DevicePlacement;
import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelLocation;
import io.scorestream.operators.registry.ModelCatalogs;
import io.scorestream.operators.time.Clock;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Starts the inference service for a key: resolves the version in the key's repository (fetching it
 * into the local cache when the repository is remote), places it on the key's device (the GPU Flink
 * assigned for {@code gpu}, CPU fallback as configured), loads it and starts its batching workers.
 * The factory of {@link InferenceServices#acquire} and {@link ModelResidency}.
 */
public final class InferenceServiceFactory
        implements Function<InferenceServices.Key, InferenceService> {

    private final InferenceSettings settings;
    private final OptionalInt assignedGpu;
    private final Clock clock;

    /**
     * @param settings threads, batching, cache folder and device fallback
     * @param assignedGpu the GPU Flink assigned to this TaskManager, see {@link
     *     io.scorestream.operators.registry.GpuAssignment}
     * @param clock the batching clock
     */
    public InferenceServiceFactory(
            InferenceSettings settings, OptionalInt assignedGpu, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.assignedGpu = Objects.requireNonNull(assignedGpu, "assignedGpu");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @throws io.scorestream.model.ModelException when the version cannot be found, fetched,
     *     verified, placed or loaded
     */
    @Override
    public InferenceService apply(InferenceServices.Key key) {
        ModelLocation location =
                ModelCatalogs.open(key.repository(), settings.registry().cacheDirectory())
                        .resolve(key.model(), key.version());
        LoadOptions requested =
                settings.loadOptions()
                        .withDevice(DevicePlacement.requested(key.device(), assignedGpu))
                        .withOnnxGpuProvider(settings.registry().onnxGpuProvider())
                        .withEngine(key.engine());
        LoadOptions placed =
                DevicePlacement.place(location, requested, settings.registry().deviceFallback());
        return new InferenceService(
                ModelLoader.load(location, placed),
                settings.batching(),
                settings.cache(),
                settings.breaker(),
                clock);
    }
}
