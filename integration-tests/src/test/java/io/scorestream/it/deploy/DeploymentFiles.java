package io.scorestream.it.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The repository's deployment files (flink-conf/, k8s/) and the YAML parser Flink itself uses
 * (snakeyaml-engine). Paths come from the build (system properties set by Surefire).
 */
final class DeploymentFiles {

    private DeploymentFiles() {}

    static Path root() {
        return Path.of(System.getProperty("scorestream.root", "..")).toAbsolutePath().normalize();
    }

    static Path k8s() {
        return root().resolve("k8s");
    }

    static Path flinkConf() {
        return root().resolve("flink-conf");
    }

    static String flinkVersion() {
        String version = System.getProperty("scorestream.flink.version");
        if (version == null) {
            throw new IllegalStateException(
                    "run through Maven: scorestream.flink.version is unset");
        }
        return version;
    }

    /** Every YAML file under {@code dir}, sorted. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(
                            p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a (possibly multi-document) YAML file or string. */
    static List<Object> documents(String yaml) {
        List<Object> documents = new ArrayList<>();
        for (Object document :
                new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build())
                        .loadAllFromString(yaml)) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    static List<Object> documents(Path file) {
        return documents(read(file));
    }

    /** The single mapping document of {@code file}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mapping(Path file) {
        List<Object> documents = documents(file);
        if (documents.size() != 1 || !(documents.get(0) instanceof Map)) {
            throw new AssertionError(file + " is not one YAML mapping");
        }
        return (Map<String, Object>) documents.get(0);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Flink config.yaml as Flink reads it: nested mappings joined with dots ({@code a: {b: 1}} is
     * {@code a.b}), values as strings.
     */
    static Map<String, String> flatten(Map<?, ?> yaml) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", yaml, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> yaml, Map<String, String> flat) {
        yaml.forEach(
                (key, value) -> {
                    String name = prefix + key;
                    if (value instanceof Map<?, ?> nested) {
                        flatten(name + ".", nested, flat);
                    } else {
                        flat.put(name, String.valueOf(value));
                    }
                });
    }

    /**
     * Nested lookup in parsed YAML: {@code get(doc, "spec", "template", "spec")}; null if absent.
     */
    static Object get(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(step);
            } else if (current instanceof List<?> list && step instanceof Integer index) {
                current = index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, Object... path) {
        Object found = get(node, path);
        return found instanceof List<?> list ? (List<Object>) list : List.of();
    }

    static String string(Object node, Object... path) {
        Object found = get(node, path);
        return found == null ? null : String.valueOf(found);
    }
}
