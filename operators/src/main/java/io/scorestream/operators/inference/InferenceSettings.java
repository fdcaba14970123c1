package io.scorestream.operators.inference;

import io.scorestream.model.DeviceSpec;
import io.scorestream.model.LoadOptions;
import io.scorestream.operators.registry.RegistrySettings;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the inference operator needs to find, load and batch its models, and what to do when a model
 * gives no answer.
 *
 * @param modelRepository the model repository: a local folder, or a URI a Flink filesystem reads
 * @param device where the model runs: cpu, gpu (the GPU Flink assigned), gpu:N
 * @param intraOpThreads threads one model call may use
 * @param interOpThreads threads for independent operators within one call
 * @param batching how rows are batched
 * @param timeoutPolicy fallback prediction or dead letter when no model answered in time
 * @param failurePolicy fallback prediction or dead letter when the model failed on the event
 * @param fallbackScore the score of a fallback prediction
 * @param modelTimeout how long one model call may take before the next step of the fallback chain
 *     is tried; zero: no limit of its own (the async timeout ends the request)
 * @param cache the result cache of each model version
 * @param breaker the circuit breaker of each model version
 * @param registry model cache, residency bound, idle unloading and device fallback
 */
public record InferenceSettings(
        String modelRepository,
        String device,
        int intraOpThreads,
        int interOpThreads,
        BatchingConfig batching,
        TimeoutPolicy timeoutPolicy,
        FailurePolicy failurePolicy,
        float fallbackScore,
        Duration modelTimeout,
        CacheConfig cache,
        BreakerConfig breaker,
        RegistrySettings registry)
        implements Serializable {

    /**
     * Settings with no model timeout, cache or breaker, failures dead-lettered, and the {@link
     * RegistrySettings#DEFAULTS}.
     */
    public InferenceSettings(
            String modelRepository,
            String device,
            int intraOpThreads,
            int interOpThreads,
            BatchingConfig batching,
            TimeoutPolicy timeoutPolicy,
            float fallbackScore) {
        this(
                modelRepository,
                device,
                intraOpThreads,
                interOpThreads,
                batching,
                timeoutPolicy,
                FailurePolicy.DEAD_LETTER,
                fallbackScore,
                Duration.ZERO,
                CacheConfig.off(),
                BreakerConfig.off(),
                RegistrySettings.DEFAULTS);
    }

    /**
     * Threads and warm-up for a load; the device as {@link DeviceSpec#parse} reads it ({@code gpu}
     * as GPU 0: {@link InferenceServiceFactory} places {@code gpu} on the GPU Flink assigned).
     */
    public LoadOptions loadOptions() {
        return new LoadOptions(DeviceSpec.parse(device), intraOpThreads, interOpThreads, 3);
    }
}
