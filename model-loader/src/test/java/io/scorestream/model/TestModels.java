package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The real model files under {@code scorestream.models.dir}, and copies of them to break. */
final class TestModels {

    static final String FRAUD = "fraud-mlp";
    static final String INTENT = "intent-gru";

    /** The large model of the fraud task (label fraud, like {@link #FRAUD}), a GRU. */
    static final String FRAUD_LARGE = "fraud-gru";

    private TestModels() {}

    static Path modelsDir() {
        String dir = System.getProperty("scorestream.models.dir");
        assertThat(dir).as("system property scorestream.models.dir (set by surefire)").isNotNull();
        return Path.of(dir);
    }

    static ModelRepository repository() {
        return ModelRepository.at(modelsDir());
    }

    /** Every model version in the real repository, as "model/version". */
    static Stream<String> allVersions() {
        ModelRepository repository = repository();
        List<String> all = new ArrayList<>();
        for (String model : repository.models()) {
            for (String version : repository.versions(model)) {
                all.add(model + "/" + version);
            }
        }
        return all.stream();
    }

    static ModelLocation resolve(String modelSlashVersion) {
        String[] parts = modelSlashVersion.split("/", 2);
        return repository().resolve(parts[0], parts[1]);
    }

    /** The golden inputs and scores shipped with a model version. */
    record Golden(float[][] inputs, float[] scores) {}

    static Golden golden(ModelLocation location) {
        JsonObject json =
                JsonParser.parseString(read(location.directory().resolve("golden.json")))
                        .getAsJsonObject();
        JsonArray inputs = json.getAsJsonArray("inputs");
        JsonArray scores = json.getAsJsonArray("scores");
        assertThat(inputs.size()).isEqualTo(scores.size()).isPositive();
        float[][] rows = new float[inputs.size()][];
        float[] expected = new float[scores.size()];
        for (int i = 0; i < rows.length; i++) {
            JsonArray row = inputs.get(i).getAsJsonArray();
            rows[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                rows[i][j] = (float) row.get(j).getAsDouble();
            }
            expected[i] = (float) scores.get(i).getAsDouble();
        }
        return new Golden(rows, expected);
    }

    /** Copies a real version folder to {@code root/model/version} and returns the copy. */
    static Path copyVersion(Path root, String model, String version) {
        Path source = modelsDir().resolve(model).resolve(version);
        Path target = root.resolve(model).resolve(version);
        try (Stream<Path> files = Files.list(source)) {
            Files.createDirectories(target);
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Rewrites a copied version's manifest (not checksummed itself). */
    static void editManifest(Path versionDir, Consumer<JsonObject> edit) {
        Path file = versionDir.resolve(ModelRepository.MANIFEST_FILE);
        JsonObject manifest = JsonParser.parseString(read(file)).getAsJsonObject();
        edit.accept(manifest);
        write(file, manifest.toString());
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
