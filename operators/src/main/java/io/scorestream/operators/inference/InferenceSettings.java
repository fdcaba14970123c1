package io.scorestream.operators.inference;

import io.scorestream.model.DeviceSpec;
import io.scorestream.model.LoadOptions;
import io.scorestream.operators.registry.RegistrySettings;
import java.io.Serializable;

/**
 * What the async inference operator needs to find, load and batch its model, and what to do when
 * inference times out.
 *
 * @param modelRepository the model repository: a local folder, or a URI a Flink filesystem reads
 * @param device where the model runs: cpu, gpu (the GPU Flink assigned), gpu:N
 * @param intraOpThreads threads one model call may use
 * @param interOpThreads threads for independent operators within one call
 * @param batching how rows are batched
 * @param timeoutPolicy fallback prediction or dead letter on timeout
 * @param fallbackScore the score of a fallback prediction
 * @param registry model cache, residency bound, idle unloading and device fallback
 */
public record InferenceSettings(
        String modelRepository,
        String device,
        int intraOpThreads,
        int interOpThreads,
        BatchingConfig batching,
        TimeoutPolicy timeoutPolicy,
        float fallbackScore,
        RegistrySettings registry)
        implements Serializable {

    /** Settings with the {@link RegistrySettings#DEFAULTS}. */
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
                fallbackScore,
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
