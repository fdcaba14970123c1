package io.scorestream.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a model version up with DJL, offline: pick the artifact of the chosen engine, verify
 * checksums, check the engine, resolve the device, load, warm up.
 */
public final class ModelLoader {

    /** DJL's engine for TorchScript files. */
    public static final String PYTORCH = "PyTorch";

    /** DJL's engine for ONNX files (ONNX Runtime; its CUDA and TensorRT providers on GPU nodes). */
    public static final String ONNX_RUNTIME = "OnnxRuntime";

    private static final java.util.Set<String> ENGINES = java.util.Set.of(PYTORCH, ONNX_RUNTIME);

    static final String NUM_THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final String NUM_INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";
    static final String OFFLINE_PROPERTY = "ai.djl.offline";

    /** DJL's ONNX Runtime engine reads these criteria options into each model's session options. */
    static final String ORT_INTRA_OP_THREADS = "intraOpNumThreads";

    static final String ORT_INTER_OP_THREADS = "interOpNumThreads";

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {}

    /**
     * Loads {@code version} with {@code options}: its artifact for {@link LoadOptions#engine()}.
     *
     * @throws ModelIntegrityException when a file is missing or its checksum does not match;
     *     nothing has been loaded then
     * @throws ModelLoadException when the version ships no artifact for the chosen engine, the
     *     engine or device is unsupported or DJL fails
     */
    public static ScoringModel load(ModelLocation version, LoadOptions options) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(options, "options");
        ModelLocation location = options.engine().select(version);
        ModelManifest manifest = location.manifest();
        long start = System.nanoTime();

        ChecksumVerifier.verify(location);
        if (!ENGINES.contains(manifest.engine())) {
            throw new ModelLoadException(
                    "model "
                            + manifest.displayName()
                            + " uses engine '"
                            + manifest.engine()
                            + "', which this loader does not support (supported: "
                            + ENGINES
                            + ")");
        }
        configureEngine(options);
        Engine engine = startEngine(manifest);
        Device device = resolveDevice(engine, options.device(), manifest);

        ZooModel<RowBatch, float[]> zooModel = loadWithDjl(location, device, options);
        ScoringModel model = new ScoringModel(zooModel, manifest, options.device());
        long loaded = System.nanoTime();
        try {
            float[][] zeros = new float[1][model.inputWidth()];
            for (int i = 0; i < options.warmupIterations(); i++) {
                model.predict(zeros);
            }
        } catch (RuntimeException e) {
            try {
                model.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw new ModelLoadException(
                    "model " + manifest.displayName() + " failed its warm-up: " + e.getMessage(),
                    e);
        }
        long warmedUp = System.nanoTime();
        LOG.info(
                "Loaded model {} ({} on {}) from {} in {} ms, {} warm-up passes in {} ms",
                manifest.displayName(),
                manifest.engine(),
                options.device(),
                location.directory(),
                (loaded - start) / 1_000_000,
                options.warmupIterations(),
                (warmedUp - loaded) / 1_000_000);
        return model;
    }

    /**
     * DJL's PyTorch engine reads its thread counts from system properties once, when it starts, and
     * it is one per JVM: set them unless someone already did, and say so when they differ.
     */
    static void configureEngine(LoadOptions options) {
        setDefault(OFFLINE_PROPERTY, "true");
        setDefault(NUM_THREADS_PROPERTY, Integer.toString(options.intraOpThreads()));
        setDefault(NUM_INTEROP_THREADS_PROPERTY, Integer.toString(options.interOpThreads()));
    }

    private static synchronized void setDefault(String property, String wanted) {
        String current = System.getProperty(property);
        if (current == null) {
            System.setProperty(property, wanted);
        } else if (!current.equals(wanted)) {
            LOG.warn(
                    "System property {} is already '{}': keeping it, not '{}' (DJL engine"
                            + " settings are JVM-wide and fixed when the engine starts)",
                    property,
                    current,
                    wanted);
        }
    }

    static Engine startEngine(ModelManifest manifest) {
        try {
            return Engine.getEngine(manifest.engine());
        } catch (RuntimeException | LinkageError e) {
            throw new ModelLoadException(
                    "model "
                            + manifest.displayName()
                            + ": DJL's "
                            + manifest.engine()
                            + " engine is unavailable (is its engine jar, with its native library,"
                            + " on the classpath?): "
                            + e,
                    e);
        }
    }

    private static Device resolveDevice(Engine engine, DeviceSpec spec, ModelManifest manifest) {
        if (!spec.isGpu()) {
            return Device.cpu();
        }
        int gpus = engine.getGpuCount();
        if (spec.index() >= gpus) {
            throw new ModelLoadException(
                    "model "
                            + manifest.displayName()
                            + ": device "
                            + spec
                            + " was requested but DJL's "
                            + engine.getEngineName()
                            + " engine sees "
                            + gpus
                            + (gpus == 1 ? " GPU" : " GPUs")
                            + (gpus == 0
                                    ? " (no CUDA device, or a CPU-only native library); use"
                                            + " device 'cpu'"
                                    : " (valid: gpu:0 to gpu:" + (gpus - 1) + ")"));
        }
        return Device.gpu(spec.index());
    }

    private static ZooModel<RowBatch, float[]> loadWithDjl(
            ModelLocation location, Device device, LoadOptions options) {
        try {
            return criteria(location, device, options).loadModel();
        } catch (IOException
                | ai.djl.repository.zoo.ModelNotFoundException
                | MalformedModelException
                | RuntimeException e) {
            throw new ModelLoadException(
                    "DJL failed to load model "
                            + location.manifest().displayName()
                            + " from "
                            + location.artifactPath()
                            + " on "
                            + device
                            + ": "
                            + e,
                    e);
        }
    }

    /**
     * What DJL is asked to load: the manifest's engine and artifact, on {@code device}. ONNX
     * Runtime gets the thread counts here, per model (DJL's {@code OrtModel} reads {@value
     * #ORT_INTRA_OP_THREADS} and {@value #ORT_INTER_OP_THREADS} into the session options); left
     * unset, each ONNX model would start a thread pool as large as the machine.
     */
    static Criteria<RowBatch, float[]> criteria(
            ModelLocation location, Device device, LoadOptions options) {
        ModelManifest manifest = location.manifest();
        Criteria.Builder<RowBatch, float[]> builder =
                Criteria.builder()
                        .setTypes(RowBatch.class, float[].class)
                        .optEngine(manifest.engine())
                        .optDevice(device)
                        .optModelPath(location.directory())
                        // DJL resolves the artifact by this name inside the directory.
                        .optModelName(manifest.artifact())
                        .optTranslator(new RowBatchTranslator());
        if (PYTORCH.equals(manifest.engine())) {
            // Load the TorchScript weights straight onto the requested device.
            builder.optOption("mapLocation", "true");
        }
        if (ONNX_RUNTIME.equals(manifest.engine())) {
            builder.optOption(ORT_INTRA_OP_THREADS, Integer.toString(options.intraOpThreads()));
            builder.optOption(ORT_INTER_OP_THREADS, Integer.toString(options.interOpThreads()));
        }
        if (ONNX_RUNTIME.equals(manifest.engine())
                && device.isGpu()
                && options.onnxGpuProvider() == OnnxGpuProvider.TENSORRT) {
            // DJL's ONNX Runtime engine then adds the TensorRT execution provider on this GPU.
            builder.optOption("ortDevice", "TensorRT");
        }
        return builder.build();
    }
}
