package io.scorestream.operators.inference;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The result cache of each model version on a TaskManager.
 *
 * @param maxEntries entries per model version; 0 turns caching off
 * @param ttl how long a cached score is served
 * @param disabledModels models never cached (sequence models rarely see the same input twice)
 */
public record CacheConfig(int maxEntries, Duration ttl, Set<String> disabledModels)
        implements Serializable {

    public CacheConfig {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0: " + maxEntries);
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        disabledModels = Set.copyOf(disabledModels);
    }

    public static CacheConfig off() {
        return new CacheConfig(0, Duration.ofMinutes(1), Set.of());
    }

    /** Whether results of {@code model} are cached. */
    public boolean caches(String model) {
        return maxEntries > 0 && !disabledModels.contains(model);
    }
}
