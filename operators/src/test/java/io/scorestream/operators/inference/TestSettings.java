package io.scorestream.operators.inference;

import io.scorestream.operators.registry.RegistrySettings;
import java.time.Duration;

/**
 * Inference settings for tests: on the CPU with one thread, timeouts get the default score 0.25,
 * and the registry's defaults.
 */
final class TestSettings {

    private TestSettings() {}

    /** No model timeout, cache nor breaker; failures dead-lettered. */
    static InferenceSettings settings(String repository, BatchingConfig batching) {
        return settings(
                repository,
                batching,
                CacheConfig.off(),
                FailurePolicy.DEAD_LETTER,
                Duration.ZERO,
                BreakerConfig.off());
    }

    static InferenceSettings settings(
            String repository,
            BatchingConfig batching,
            CacheConfig cache,
            FailurePolicy failures,
            Duration modelTimeout,
            BreakerConfig breaker) {
        return new InferenceSettings(
                repository,
                "cpu",
                1,
                1,
                batching,
                TimeoutPolicy.FALLBACK,
                failures,
                0.25f,
                modelTimeout,
                cache,
                breaker,
                RegistrySettings.DEFAULTS);
    }
}
