package io.scorestream.it.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;

/**
 * Every configuration key that Flink declares, found by reflection: the static {@link ConfigOption}
 * fields of every {@code org.apache.flink..*Options} class in the Flink jars on the test classpath.
 * Keys with placeholders ({@code external-resource.<resource_name>.amount}) become patterns;
 * reporter-scoped keys ({@code metrics.reporter.<name>.<suffix>}) are checked against {@link
 * MetricOptions}' reporter options and the {@code ARG_*} keys of the configured reporter factory.
 */
final class FlinkOptionCatalog {

    /** Where a key was found, and whether Flink marks it deprecated. */
    record Declared(String key, String declaredBy, boolean deprecated, ConfigOption<?> option) {}

    private final Map<String, Declared> exact = new HashMap<>();
    private final Map<Pattern, Declared> templates = new HashMap<>();
    private final List<String> reporterSuffixes = new ArrayList<>();

    private FlinkOptionCatalog() {}

    static FlinkOptionCatalog fromClasspath() {
        FlinkOptionCatalog catalog = new FlinkOptionCatalog();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.startsWith("flink-") && name.endsWith(".jar")) {
                catalog.scan(entry);
            }
        }
        for (Field field : MetricOptions.class.getFields()) {
            optionOf(field)
                    .filter(option -> isReporterScoped(option.key()))
                    .ifPresent(option -> catalog.reporterSuffixes.add(option.key()));
        }
        return catalog;
    }

    int size() {
        return exact.size() + templates.size();
    }

    /** The declaration of {@code key}, if Flink has one. */
    Optional<Declared> find(String key) {
        Declared found = exact.get(key);
        if (found != null) {
            return Optional.of(found);
        }
        return templates.entrySet().stream()
                .filter(template -> template.getKey().matcher(key).matches())
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /**
     * Whether {@code key} is a valid {@code metrics.reporter.<name>.<suffix>} key given the whole
     * configuration (a reporter's own arguments depend on its factory class).
     */
    boolean isReporterKey(String key, Map<String, String> conf) {
        String prefix = ConfigConstants.METRICS_REPORTER_PREFIX;
        if (!key.startsWith(prefix)) {
            return false;
        }
        String rest = key.substring(prefix.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        String reporter = rest.substring(0, dot);
        String suffix = rest.substring(dot + 1);
        if (reporterSuffixes.contains(suffix)) {
            return true;
        }
        String factory = conf.get(prefix + reporter + ".factory.class");
        return factory != null && factoryArguments(factory).contains(suffix);
    }

    /**
     * The values of the {@code ARG_*} string constants a reporter factory reads its settings by.
     */
    static List<String> factoryArguments(String factoryClass) {
        List<String> arguments = new ArrayList<>();
        try {
            for (Field field : Class.forName(factoryClass).getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == String.class
                        && field.getName().startsWith("ARG_")) {
                    field.setAccessible(true);
                    arguments.add((String) field.get(null));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("reporter factory " + factoryClass + " is not loadable", e);
        }
        return arguments;
    }

    private static boolean isReporterScoped(String key) {
        // MetricOptions declares reporter-scoped options by their suffix alone (factory.class,
        // interval, scope.*, filter.*): no reporter prefix and no placeholder.
        return !key.startsWith("metrics.") && !key.contains("<");
    }

    private void scan(String jar) {
        try (JarFile file = new JarFile(jar)) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName();
                if (name.startsWith("org/apache/flink/")
                        && !name.contains("/shaded/")
                        && name.endsWith("Options.class")) {
                    scanClass(
                            name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void scanClass(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, FlinkOptionCatalog.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return; // an optional integration whose dependencies are not here
        }
        for (Field field : type.getDeclaredFields()) {
            Optional<ConfigOption<?>> option = optionOf(field);
            if (option.isEmpty()) {
                continue;
            }
            boolean deprecated = field.isAnnotationPresent(Deprecated.class);
            add(option.get().key(), type.getSimpleName(), deprecated, option.get());
            for (FallbackKey fallback : option.get().fallbackKeys()) {
                add(
                        fallback.getKey(),
                        type.getSimpleName(),
                        deprecated || fallback.isDeprecated(),
                        option.get());
            }
        }
    }

    private void add(String key, String declaredBy, boolean deprecated, ConfigOption<?> option) {
        Declared declared = new Declared(key, declaredBy, deprecated, option);
        if (key.startsWith("<")) {
            // A reporter's free-form argument (MetricOptions' "<parameter>"): not a key on its own;
            // reporter keys are checked by isReporterKey.
            return;
        }
        if (key.contains("<")) {
            templates.putIfAbsent(templatePattern(key), declared);
        } else {
            Declared existing = exact.get(key);
            // A key declared twice (moved between classes) counts as deprecated only if both are.
            if (existing == null || existing.deprecated()) {
                exact.put(key, declared);
            }
        }
    }

    /**
     * {@code a.<x>.b} matches {@code a.any-segment.b}; a placeholder at the end matches one or more
     * segments ({@code external-resource.<resource_name>.param.<param>}).
     */
    static Pattern templatePattern(String key) {
        StringBuilder regex = new StringBuilder();
        java.util.regex.Matcher placeholder = Pattern.compile("<[^>]+>").matcher(key);
        int last = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(key.substring(last, placeholder.start())));
            regex.append(placeholder.end() == key.length() ? ".+" : "[^.]+");
            last = placeholder.end();
        }
        regex.append(Pattern.quote(key.substring(last)));
        return Pattern.compile(regex.toString());
    }

    private static Optional<ConfigOption<?>> optionOf(Field field) {
        if (!Modifier.isStatic(field.getModifiers())
                || !ConfigOption.class.isAssignableFrom(field.getType())) {
            return Optional.empty();
        }
        try {
            field.setAccessible(true);
            return Optional.ofNullable((ConfigOption<?>) field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** For failure messages: declared keys that start like {@code key}. */
    List<String> near(String key) {
        String stem = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : key;
        return new ArrayList<>(
                new TreeSet<>(exact.keySet().stream().filter(k -> k.startsWith(stem)).toList()));
    }
}
