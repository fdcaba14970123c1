package io.scorestream.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, path-aware access to the JSON tree of one manifest: every failure becomes a {@link
 * ModelIntegrityException} naming the file and the dotted key, e.g. {@code inputs[0].shape}.
 */
final class JsonFields {

    /** How messages name the manifest: its path, or the URI it was fetched from. */
    private final String file;

    JsonFields(String file) {
        this.file = file;
    }

    ModelIntegrityException invalid(String key, String problem) {
        return new ModelIntegrityException(
                "invalid manifest " + file + ": key '" + key + "' " + problem);
    }

    ModelIntegrityException missing(String key) {
        return new ModelIntegrityException(
                "invalid manifest " + file + ": missing required key '" + key + "'");
    }

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    JsonElement required(JsonObject object, String parent, String key) {
        JsonElement value = object.get(key);
        if (value == null || value.isJsonNull()) {
            throw missing(child(parent, key));
        }
        return value;
    }

    JsonObject object(JsonObject object, String parent, String key) {
        JsonElement value = required(object, parent, key);
        if (!value.isJsonObject()) {
            throw invalid(child(parent, key), "must be an object, got " + value);
        }
        return value.getAsJsonObject();
    }

    JsonArray array(JsonObject object, String parent, String key) {
        JsonElement value = required(object, parent, key);
        if (!value.isJsonArray()) {
            throw invalid(child(parent, key), "must be an array, got " + value);
        }
        return value.getAsJsonArray();
    }

    String string(JsonObject object, String parent, String key) {
        return asString(required(object, parent, key), child(parent, key));
    }

    String asString(JsonElement value, String key) {
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isString()) {
            throw invalid(key, "must be a string, got " + value);
        }
        String text = primitive.getAsString();
        if (text.isBlank()) {
            throw invalid(key, "must not be blank");
        }
        return text;
    }

    List<String> strings(JsonObject object, String parent, String key) {
        JsonArray array = array(object, parent, key);
        List<String> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            result.add(asString(array.get(i), child(parent, key) + "[" + i + "]"));
        }
        return result;
    }

    double number(JsonObject object, String parent, String key) {
        JsonElement value = required(object, parent, key);
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isNumber()) {
            throw invalid(child(parent, key), "must be a number, got " + value);
        }
        return primitive.getAsDouble();
    }

    int positiveInt(JsonElement value, String key) {
        if (value instanceof JsonPrimitive primitive && primitive.isNumber()) {
            double number = primitive.getAsDouble();
            if (number >= 1 && number <= Integer.MAX_VALUE && number == Math.rint(number)) {
                return (int) number;
            }
        }
        throw invalid(key, "must be a positive integer, got " + value);
    }
}
