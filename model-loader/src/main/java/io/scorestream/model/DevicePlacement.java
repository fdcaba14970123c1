package io.scorestream.model;

import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where a model runs before it is loaded: the device the settings ask for, checked against
 * the GPUs DJL's engine can actually use. On a machine (or a native library) without a usable GPU a
 * GPU request either fails with a message naming the setting, or runs on the CPU with a warning, as
 * {@link Fallback} says.
 *
 * <p>The GPU count is the engine's, not the hardware's: a CPU-only libtorch on a GPU node sees no
 * GPU, and loading onto one would fail deep inside DJL.
 */
public final class DevicePlacement {

    /** The setting that asks for a device; messages name it. */
    public static final String DEVICE_SETTING = "scorestream.model.device";

    /** The setting that says what to do without a GPU; messages name it. */
    public static final String FALLBACK_SETTING = "scorestream.model.device-fallback";

    /** What a GPU request does where no GPU is visible. */
    public enum Fallback {
        /** Fail the load with a message naming {@value #DEVICE_SETTING}. */
        FAIL,
        /** Log a warning and run on the CPU. */
        CPU
    }

    private static final Logger LOG = LoggerFactory.getLogger(DevicePlacement.class);

    private DevicePlacement() {}

    /**
     * The device a setting asks for: {@code gpu} means the GPU the cluster assigned to this worker
     * ({@code assignedGpu}, e.g. from Flink's GPU external resource), or GPU 0 when none was
     * assigned; {@code cpu} and {@code gpu:<index>} mean what they say.
     *
     * @throws IllegalArgumentException naming the value when it is none of those
     */
    public static DeviceSpec requested(String setting, OptionalInt assignedGpu) {
        Objects.requireNonNull(assignedGpu, "assignedGpu");
        if (setting != null && setting.strip().toLowerCase(Locale.ROOT).equals("gpu")) {
            return DeviceSpec.gpu(assignedGpu.orElse(0));
        }
        return DeviceSpec.parse(setting);
    }

    /**
     * The device to load on, given how many GPUs are visible.
     *
     * @throws ModelLoadException when a GPU is requested, none is visible and {@code fallback} is
     *     {@link Fallback#FAIL}, or when the requested index is beyond the visible GPUs
     */
    public static DeviceSpec resolve(DeviceSpec requested, int gpusVisible, Fallback fallback) {
        return resolve(requested, gpusVisible, fallback, "DJL");
    }

    /**
     * {@code options} with the device resolved against the GPUs the engine that loads {@code
     * location} (the one {@link LoadOptions#engine()} chooses) can use. Asking the engine starts
     * it, so this sets DJL's JVM-wide engine properties from {@code options} first, as {@link
     * ModelLoader#load} would. A CPU request starts nothing.
     *
     * @throws ModelLoadException as {@link #resolve(DeviceSpec, int, Fallback)}, or when the engine
     *     is unavailable
     */
    public static LoadOptions place(
            ModelLocation location, LoadOptions options, Fallback fallback) {
        DeviceSpec requested = options.device();
        if (!requested.isGpu()) {
            return options;
        }
        ModelManifest manifest = options.engine().select(location).manifest();
        ModelLoader.configureEngine(options);
        Engine engine = ModelLoader.startEngine(manifest);
        DeviceSpec device =
                resolve(
                        requested,
                        engine.getGpuCount(),
                        fallback,
                        "DJL's "
                                + engine.getEngineName()
                                + " engine (for "
                                + manifest.displayName()
                                + ")");
        return options.withDevice(device);
    }

    private static DeviceSpec resolve(
            DeviceSpec requested, int gpusVisible, Fallback fallback, String seer) {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(fallback, "fallback");
        if (!requested.isGpu() || requested.index() < gpusVisible) {
            return requested;
        }
        if (gpusVisible > 0) {
            // GPUs are there, the setting names one that is not: a mistake, not a CPU machine.
            throw new ModelLoadException(
                    DEVICE_SETTING
                            + " is "
                            + requested
                            + " but "
                            + seer
                            + " sees only "
                            + gpusVisible
                            + (gpusVisible == 1 ? " GPU" : " GPUs")
                            + " (gpu:0 to gpu:"
                            + (gpusVisible - 1)
                            + ")");
        }
        String noGpu =
                DEVICE_SETTING
                        + " is "
                        + requested
                        + " but no GPU is visible: "
                        + seer
                        + " sees 0 GPUs (no CUDA device, or a CPU-only native library)";
        if (fallback == Fallback.FAIL) {
            throw new ModelLoadException(
                    noGpu
                            + ". Set "
                            + DEVICE_SETTING
                            + " to cpu, or "
                            + FALLBACK_SETTING
                            + " to cpu to run on the CPU where there is no GPU");
        }
        LOG.warn("{}; running on the CPU, as {} = cpu says", noGpu, FALLBACK_SETTING);
        return DeviceSpec.cpu();
    }
}
