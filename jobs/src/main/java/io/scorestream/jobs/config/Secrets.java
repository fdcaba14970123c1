package io.scorestream.jobs.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Masks secret values (passwords, JAAS configs, tokens) wherever settings are shown or logged. */
public final class Secrets {

    static final String MASK = "******";

    private Secrets() {}

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("jaas")
                || k.contains("token");
    }

    /** A sorted copy of {@code properties} with every secret value masked. */
    public static Map<String, String> masked(Map<?, ?> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach(
                (key, value) -> {
                    String name = String.valueOf(key);
                    shown.put(name, isSecret(name) ? MASK : String.valueOf(value));
                });
        return shown;
    }
}
