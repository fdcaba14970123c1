package io.scorestream.operators.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The committed reference model repository and its golden files, for tests. */
public final class ReferenceModels {

    private ReferenceModels() {}

    /** The repository's {@code models/} folder (Surefire passes it; else found from the module). */
    public static Path root() {
        String configured = System.getProperty("scorestream.models.dir");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "models");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no model repository at " + root.toAbsolutePath());
        }
        return root.toAbsolutePath().normalize();
    }

    public static JsonObject json(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code models/synthetic-golden.json}: generator output and featurized inputs from Python. */
    public static JsonObject syntheticGolden() {
        return json(root().resolve("synthetic-golden.json"));
    }

    /** {@code models/<name>/<version>/golden.json}: sessions, inputs and the scores Python saw. */
    public static JsonObject modelGolden(String name, String version) {
        return json(root().resolve(name).resolve(version).resolve("golden.json"));
    }

    /** The input rows the Python script recorded for a model version. */
    public static float[][] goldenInputs(String name, String version) {
        return rows(modelGolden(name, version).getAsJsonArray("inputs"));
    }

    /** The scores the Python script recorded for {@link #goldenInputs}. */
    public static float[] goldenScores(String name, String version) {
        return floats(modelGolden(name, version).getAsJsonArray("scores"));
    }

    public static List<SyntheticSession> sessions(JsonObject golden) {
        List<SyntheticSession> sessions = new ArrayList<>();
        for (JsonElement element : golden.getAsJsonArray("sessions")) {
            JsonObject session = element.getAsJsonObject();
            String sessionId = session.get("session_id").getAsString();
            String userId = session.get("user_id").getAsString();
            List<InferenceEvent> events = new ArrayList<>();
            for (JsonElement e : session.getAsJsonArray("events")) {
                JsonObject event = e.getAsJsonObject();
                List<Float> features = new ArrayList<>();
                for (JsonElement f : event.getAsJsonArray("features")) {
                    features.add(f.getAsFloat());
                }
                events.add(
                        InferenceEvent.newBuilder()
                                .setEventId(event.get("event_id").getAsString())
                                .setSessionId(sessionId)
                                .setUserId(userId)
                                .setEventType(event.get("event_type").getAsString())
                                .setEventTime(
                                        Instant.ofEpochMilli(event.get("event_time").getAsLong()))
                                .setFeatures(features)
                                .build());
            }
            sessions.add(
                    new SyntheticSession(
                            sessionId,
                            userId,
                            session.get("fraud").getAsBoolean(),
                            session.get("buyer").getAsBoolean(),
                            events));
        }
        return sessions;
    }

    public static float[][] rows(JsonArray array) {
        float[][] rows = new float[array.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = floats(array.get(i).getAsJsonArray());
        }
        return rows;
    }

    public static float[] floats(JsonArray array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsFloat();
        }
        return values;
    }
}
