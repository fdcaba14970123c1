package io.scorestream.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parsed {@code manifest.json} of one model version. Build it with {@link ManifestReader},
 * which validates it and names the bad key when it is not valid.
 *
 * @param name model name; equals the model's folder name in a repository
 * @param version model version; equals the version's folder name
 * @param engine DJL engine name of the primary artifact, e.g. {@code PyTorch}
 * @param artifact file name of the primary artifact, relative to the version folder
 * @param inputs input tensors (exactly one for now)
 * @param outputs output tensors (exactly one for now)
 * @param featureSpec how input rows are built
 * @param label what the score predicts, e.g. {@code fraud}
 * @param files file name to lower-case SHA-256 hex, for every file the version ships
 * @param heldoutAuc the AUC measured on held-out data at training time
 * @param alternatives other engines the version ships an artifact for (engine to file name), e.g.
 *     {@code OnnxRuntime -> model.onnx}
 */
public record ModelManifest(
        String name,
        String version,
        String engine,
        String artifact,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs,
        FeatureSpec featureSpec,
        String label,
        Map<String, String> files,
        double heldoutAuc,
        Map<String, String> alternatives) {

    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(artifact, "artifact");
        inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
        outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
        Objects.requireNonNull(featureSpec, "featureSpec");
        Objects.requireNonNull(label, "label");
        files =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(files, "files")));
        alternatives =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(alternatives, "alternatives")));
    }

    /** Every engine this version can be loaded with: the primary first, then the alternatives. */
    public List<String> engines() {
        List<String> engines = new java.util.ArrayList<>();
        engines.add(engine);
        engines.addAll(alternatives.keySet());
        return engines;
    }

    /**
     * This version as loaded with {@code engineName}: its artifact for that engine becomes the
     * primary one. The checksums stay those of the manifest.
     *
     * @throws ModelLoadException when the version ships no artifact for that engine
     */
    public ModelManifest withEngine(String engineName) {
        if (engine.equals(engineName)) {
            return this;
        }
        String alternative = alternatives.get(engineName);
        if (alternative == null) {
            throw new ModelLoadException(
                    "model "
                            + displayName()
                            + " ships no artifact for engine '"
                            + engineName
                            + "' (available: "
                            + engines()
                            + ")");
        }
        Map<String, String> others = new LinkedHashMap<>(alternatives);
        others.remove(engineName);
        others.put(engine, artifact);
        return new ModelManifest(
                name,
                version,
                engineName,
                alternative,
                inputs,
                outputs,
                featureSpec,
                label,
                files,
                heldoutAuc,
                others);
    }

    /**
     * The single input tensor.
     *
     * @throws IllegalStateException when the model has more or fewer than one input
     */
    public TensorSpec input() {
        return single(inputs, "input");
    }

    /**
     * The single output tensor.
     *
     * @throws IllegalStateException when the model has more or fewer than one output
     */
    public TensorSpec output() {
        return single(outputs, "output");
    }

    /** {@code name + " v" + version}, the way messages and logs name a model version. */
    public String displayName() {
        return name + " v" + version;
    }

    private TensorSpec single(List<TensorSpec> tensors, String kind) {
        if (tensors.size() != 1) {
            throw new IllegalStateException(
                    "model "
                            + displayName()
                            + " has "
                            + tensors.size()
                            + " "
                            + kind
                            + "s; only single-"
                            + kind
                            + " models are supported for now");
        }
        return tensors.get(0);
    }
}
