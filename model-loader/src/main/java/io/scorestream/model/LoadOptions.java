package io.scorestream.model;

import java.util.Objects;

/**
 * How {@link ModelLoader} brings a model up.
 *
 * <p>The thread counts go to the engine that runs the model. DJL's PyTorch engine is one per JVM:
 * there they only take effect for the first model loaded in the JVM, and later loads asking for
 * different counts log a warning. ONNX Runtime gets them per model, as the session options of each
 * version loaded.
 *
 * @param device where the model runs
 * @param intraOpThreads threads one operator may use ({@code ai.djl.pytorch.num_threads}, ONNX
 *     Runtime's {@code intraOpNumThreads}); 1 suits many concurrent callers on small models
 * @param interOpThreads threads for independent operators ({@code
 *     ai.djl.pytorch.num_interop_threads}, ONNX Runtime's {@code interOpNumThreads})
 * @param warmupIterations forward passes run at load time, before the model is handed out
 * @param onnxGpuProvider the execution provider of an ONNX model on a GPU
 * @param engine which of the version's artifacts is loaded
 */
public record LoadOptions(
        DeviceSpec device,
        int intraOpThreads,
        int interOpThreads,
        int warmupIterations,
        OnnxGpuProvider onnxGpuProvider,
        EngineChoice engine) {

    /** Options with ONNX Runtime's CUDA provider for ONNX models on a GPU. */
    public LoadOptions(
            DeviceSpec device, int intraOpThreads, int interOpThreads, int warmupIterations) {
        this(device, intraOpThreads, interOpThreads, warmupIterations, OnnxGpuProvider.CUDA);
    }

    /** Options that load each version's primary artifact. */
    public LoadOptions(
            DeviceSpec device,
            int intraOpThreads,
            int interOpThreads,
            int warmupIterations,
            OnnxGpuProvider onnxGpuProvider) {
        this(
                device,
                intraOpThreads,
                interOpThreads,
                warmupIterations,
                onnxGpuProvider,
                EngineChoice.PRIMARY);
    }

    public LoadOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(onnxGpuProvider, "onnxGpuProvider");
        Objects.requireNonNull(engine, "engine");
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1: " + intraOpThreads);
        }
        if (interOpThreads < 1) {
            throw new IllegalArgumentException("interOpThreads must be >= 1: " + interOpThreads);
        }
        if (warmupIterations < 0) {
            throw new IllegalArgumentException(
                    "warmupIterations must be >= 0: " + warmupIterations);
        }
    }

    /** CPU, one intra-op and one inter-op thread, three warm-up passes. */
    public static LoadOptions defaults() {
        return new LoadOptions(DeviceSpec.cpu(), 1, 1, 3);
    }

    public LoadOptions withDevice(DeviceSpec newDevice) {
        return new LoadOptions(
                newDevice,
                intraOpThreads,
                interOpThreads,
                warmupIterations,
                onnxGpuProvider,
                engine);
    }

    public LoadOptions withThreads(int newIntraOpThreads, int newInterOpThreads) {
        return new LoadOptions(
                device,
                newIntraOpThreads,
                newInterOpThreads,
                warmupIterations,
                onnxGpuProvider,
                engine);
    }

    public LoadOptions withWarmupIterations(int newWarmupIterations) {
        return new LoadOptions(
                device,
                intraOpThreads,
                interOpThreads,
                newWarmupIterations,
                onnxGpuProvider,
                engine);
    }

    public LoadOptions withOnnxGpuProvider(OnnxGpuProvider newProvider) {
        return new LoadOptions(
                device, intraOpThreads, interOpThreads, warmupIterations, newProvider, engine);
    }

    public LoadOptions withEngine(EngineChoice newEngine) {
        return new LoadOptions(
                device,
                intraOpThreads,
                interOpThreads,
                warmupIterations,
                onnxGpuProvider,
                newEngine);
    }
}
