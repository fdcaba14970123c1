package io.scorestream.operators.registry;

import io.scorestream.model.DevicePlacement;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.OnnxGpuProvider;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where fetched model versions are cached, how many may be resident in one TaskManager, when an
 * unused one is unloaded, what a GPU request does without a GPU, and which artifact is loaded.
 *
 * @param cacheDir local folder for versions copied from a remote repository; blank: {@value
 *     ModelCatalogs#DEFAULT_CACHE_FOLDER} under the TaskManager's {@code java.io.tmpdir}
 * @param maxResident most model versions (per device) running at once in one JVM
 * @param idleUnload a version unused for this long is released by its holder
 * @param deviceFallback what a GPU request does where no GPU is visible
 * @param onnxGpuProvider ONNX Runtime's execution provider for ONNX models on a GPU
 * @param engine which artifact of each version is loaded ({@value EngineChoice#SETTING})
 */
public record RegistrySettings(
        String cacheDir,
        int maxResident,
        Duration idleUnload,
        DevicePlacement.Fallback deviceFallback,
        OnnxGpuProvider onnxGpuProvider,
        EngineChoice engine)
        implements Serializable {

    /** Settings that load each version's primary artifact. */
    public RegistrySettings(
            String cacheDir,
            int maxResident,
            Duration idleUnload,
            DevicePlacement.Fallback deviceFallback,
            OnnxGpuProvider onnxGpuProvider) {
        this(
                cacheDir,
                maxResident,
                idleUnload,
                deviceFallback,
                onnxGpuProvider,
                EngineChoice.PRIMARY);
    }

    /** Settings with ONNX Runtime's CUDA provider for ONNX models on a GPU. */
    public RegistrySettings(
            String cacheDir,
            int maxResident,
            Duration idleUnload,
            DevicePlacement.Fallback deviceFallback) {
        this(cacheDir, maxResident, idleUnload, deviceFallback, OnnxGpuProvider.CUDA);
    }

    /** The defaults of the settings: temp-folder cache, 4 resident, 10 minutes, fail. */
    public static final RegistrySettings DEFAULTS =
            new RegistrySettings("", 4, Duration.ofMinutes(10), DevicePlacement.Fallback.FAIL);

    public RegistrySettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(idleUnload, "idleUnload");
        Objects.requireNonNull(deviceFallback, "deviceFallback");
        Objects.requireNonNull(onnxGpuProvider, "onnxGpuProvider");
        Objects.requireNonNull(engine, "engine");
        if (maxResident < 1) {
            throw new IllegalArgumentException("maxResident must be >= 1: " + maxResident);
        }
        if (idleUnload.isNegative() || idleUnload.isZero()) {
            throw new IllegalArgumentException("idleUnload must be positive: " + idleUnload);
        }
    }

    /** The cache folder, resolved where this runs (a TaskManager has its own temp folder). */
    public Path cacheDirectory() {
        return ModelCatalogs.cacheDirectory(cacheDir);
    }
}
