package io.scorestream.model;

import java.util.Objects;

/**
 * Which of a model version's artifacts is loaded: the manifest's primary one ({@code engine} /
 * {@code artifact}), or the one a named DJL engine runs, which may be one of its {@code
 * alternatives} (the reference models ship TorchScript and ONNX). The setting {@value #SETTING}.
 *
 * <p>The names are DJL's engine names; as a Flink option the value is matched ignoring case ({@code
 * OnnxRuntime}, {@code onnxruntime}).
 */
public enum EngineChoice {
    /** The manifest's primary artifact, with the engine the manifest names. */
    PRIMARY("primary", null),
    /** The TorchScript artifact, run by DJL's PyTorch engine (libtorch). */
    PYTORCH("PyTorch", ModelLoader.PYTORCH),
    /** The ONNX artifact, run by DJL's ONNX Runtime engine. */
    ONNX_RUNTIME("OnnxRuntime", ModelLoader.ONNX_RUNTIME);

    /** The setting that chooses; messages name it. */
    public static final String SETTING = "scorestream.model.engine";

    private final String text;
    private final String engine;

    EngineChoice(String text, String engine) {
        this.text = text;
        this.engine = engine;
    }

    /** Whether {@code manifest}'s version ships an artifact for this choice. */
    public boolean availableIn(ModelManifest manifest) {
        Objects.requireNonNull(manifest, "manifest");
        return engine == null || manifest.engines().contains(engine);
    }

    /**
     * Why {@code manifest}'s version cannot be loaded with this choice, or null when it can: the
     * message names {@value #SETTING} and the engines the version ships.
     */
    public String refusal(ModelManifest manifest) {
        if (availableIn(manifest)) {
            return null;
        }
        return SETTING
                + " is "
                + text
                + " but model "
                + manifest.displayName()
                + " ships no artifact for it (its engines: "
                + manifest.engines()
                + ")";
    }

    /**
     * {@code location} as this choice loads it: the artifact of the chosen engine becomes the
     * primary one.
     *
     * @throws ModelLoadException naming {@value #SETTING} when the version ships no artifact for
     *     the chosen engine
     */
    public ModelLocation select(ModelLocation location) {
        String refusal = refusal(location.manifest());
        if (refusal != null) {
            throw new ModelLoadException(refusal);
        }
        return engine == null ? location : location.withEngine(engine);
    }

    /** The value as it is written in the settings: {@code primary}, {@code PyTorch}, ... */
    @Override
    public String toString() {
        return text;
    }
}
