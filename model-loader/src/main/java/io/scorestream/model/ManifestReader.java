package io.scorestream.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and validates a {@code manifest.json}. Unknown keys (such as the rest of {@code training})
 * are ignored; everything {@link ModelManifest} holds is required and checked, and a failure names
 * the file and the offending key.
 */
public final class ManifestReader {

    /** The only tensor element type the loader feeds and reads. */
    public static final String FLOAT32 = "float32";

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private ManifestReader() {}

    /**
     * Parses and validates one manifest.
     *
     * @throws ModelIntegrityException when the file is unreadable, not JSON, or invalid
     */
    public static ModelManifest read(Path manifestJson) {
        return read(manifestJson, manifestJson.toString());
    }

    /**
     * Parses and validates one manifest whose messages call it {@code source}, e.g. the URI a local
     * copy was fetched from.
     *
     * @throws ModelIntegrityException when the file is unreadable, not JSON, or invalid
     */
    public static ModelManifest read(Path manifestJson, String source) {
        JsonElement root;
        try (Reader reader = Files.newBufferedReader(manifestJson, StandardCharsets.UTF_8);
                JsonReader jsonReader = new JsonReader(reader)) {
            // Gson parses leniently by default (comments, single quotes, unquoted keys): a
            // manifest is a contract between two languages, so hold it to strict JSON.
            jsonReader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(jsonReader);
            if (jsonReader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonSyntaxException("unexpected content after the top-level value");
            }
        } catch (MalformedJsonException | JsonParseException e) {
            throw new ModelIntegrityException(
                    "invalid manifest " + source + ": malformed JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelIntegrityException("cannot read manifest " + source + ": " + e, e);
        }
        JsonFields json = new JsonFields(source);
        if (!root.isJsonObject()) {
            throw new ModelIntegrityException(
                    "invalid manifest " + source + ": the top level must be a JSON object");
        }
        return parse(json, root.getAsJsonObject());
    }

    private static ModelManifest parse(JsonFields json, JsonObject root) {
        String name = json.string(root, "", "name");
        String version = json.string(root, "", "version");
        String engine = json.string(root, "", "engine");
        String artifact = json.string(root, "", "artifact");
        List<TensorSpec> inputs = tensors(json, root, "inputs");
        List<TensorSpec> outputs = tensors(json, root, "outputs");
        FeatureSpec featureSpec = featureSpec(json, root, inputs.get(0));
        String label = json.string(root, "", "label");
        Map<String, String> files = files(json, root);
        double heldoutAuc =
                json.number(json.object(root, "", "training"), "training", "heldout_auc");

        if (!files.containsKey(artifact)) {
            throw json.invalid(
                    "artifact",
                    "names '"
                            + artifact
                            + "', which is not listed in 'files' "
                            + files.keySet()
                            + ": it could not be checksummed");
        }
        return new ModelManifest(
                name,
                version,
                engine,
                artifact,
                inputs,
                outputs,
                featureSpec,
                label,
                files,
                heldoutAuc,
                alternatives(json, root, files));
    }

    /** Optional {@code alternatives}: other engines' artifacts, each one checksummed in files. */
    private static Map<String, String> alternatives(
            JsonFields json, JsonObject root, Map<String, String> files) {
        Map<String, String> alternatives = new LinkedHashMap<>();
        if (!root.has("alternatives")) {
            return alternatives;
        }
        JsonArray array = json.array(root, "", "alternatives");
        for (int i = 0; i < array.size(); i++) {
            String path = "alternatives[" + i + "]";
            JsonElement element = array.get(i);
            if (!element.isJsonObject()) {
                throw json.invalid(path, "must be an object, got " + element);
            }
            String engine = json.string(element.getAsJsonObject(), path, "engine");
            String artifact = json.string(element.getAsJsonObject(), path, "artifact");
            if (!files.containsKey(artifact)) {
                throw json.invalid(
                        path + ".artifact",
                        "names '"
                                + artifact
                                + "', which is not listed in 'files': it could not be checksummed");
            }
            alternatives.put(engine, artifact);
        }
        return alternatives;
    }

    private static List<TensorSpec> tensors(JsonFields json, JsonObject root, String key) {
        JsonArray array = json.array(root, "", key);
        if (array.size() != 1) {
            throw json.invalid(
                    key,
                    "must list exactly one tensor (multi-tensor models are not supported yet),"
                            + " got "
                            + array.size());
        }
        List<TensorSpec> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String path = key + "[" + i + "]";
            JsonElement element = array.get(i);
            if (!element.isJsonObject()) {
                throw json.invalid(path, "must be an object, got " + element);
            }
            JsonObject tensor = element.getAsJsonObject();
            String tensorName = json.string(tensor, path, "name");
            JsonArray shapeJson = json.array(tensor, path, "shape");
            if (shapeJson.isEmpty()) {
                throw json.invalid(path + ".shape", "must not be empty");
            }
            List<Integer> shape = new ArrayList<>(shapeJson.size());
            for (int d = 0; d < shapeJson.size(); d++) {
                shape.add(json.positiveInt(shapeJson.get(d), path + ".shape[" + d + "]"));
            }
            String dtype = json.string(tensor, path, "dtype");
            if (!FLOAT32.equals(dtype)) {
                throw json.invalid(
                        path + ".dtype", "is '" + dtype + "', only '" + FLOAT32 + "' is supported");
            }
            TensorSpec spec = new TensorSpec(tensorName, shape, dtype);
            try {
                spec.elementCount();
            } catch (ArithmeticException e) {
                throw json.invalid(path + ".shape", "has too many elements: " + shape);
            }
            result.add(spec);
        }
        return result;
    }

    private static FeatureSpec featureSpec(JsonFields json, JsonObject root, TensorSpec input) {
        String key = "feature_spec";
        JsonObject spec = json.object(root, "", key);
        String layoutName = json.string(spec, key, "layout");
        FeatureLayout layout;
        try {
            layout = FeatureLayout.fromManifest(layoutName);
        } catch (IllegalArgumentException e) {
            throw json.invalid(key + ".layout", e.getMessage());
        }
        List<String> eventTypes = json.strings(spec, key, "event_types");
        List<String> eventFeatures = json.strings(spec, key, "event_features");
        int sequenceLength = 0;
        if (layout == FeatureLayout.SESSION_SEQUENCE) {
            String lengthKey = key + ".sequence_length";
            sequenceLength =
                    json.positiveInt(json.required(spec, key, "sequence_length"), lengthKey);
            if (input.shape().get(0) != sequenceLength) {
                throw json.invalid(
                        lengthKey,
                        "is "
                                + sequenceLength
                                + " but the input's first dimension is "
                                + input.shape().get(0)
                                + " (input shape "
                                + input.shape()
                                + ")");
            }
        }
        return new FeatureSpec(layout, eventTypes, eventFeatures, sequenceLength);
    }

    private static Map<String, String> files(JsonFields json, JsonObject root) {
        JsonObject filesJson = json.object(root, "", "files");
        if (filesJson.isEmpty()) {
            throw json.invalid("files", "must list at least the artifact");
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : filesJson.entrySet()) {
            String fileName = entry.getKey();
            String path = "files." + fileName;
            if (!isPlainFileName(fileName)) {
                throw json.invalid(path, "is not a plain file name inside the version folder");
            }
            String hash = json.asString(entry.getValue(), path);
            if (!SHA256_HEX.matcher(hash).matches()) {
                throw json.invalid(
                        path, "must be a 64-digit SHA-256 hex string, got '" + hash + "'");
            }
            files.put(fileName, hash.toLowerCase(Locale.ROOT));
        }
        return files;
    }

    private static boolean isPlainFileName(String fileName) {
        return !fileName.isBlank()
                && !fileName.equals(".")
                && !fileName.equals("..")
                && fileName.indexOf('/') < 0
                && fileName.indexOf('\\') < 0
                && fileName.indexOf('\0') < 0;
    }
}
