package io.scorestream.operators.inference;

import io.scorestream.model.DeviceSpec;
import io.scorestream.model.LoadOptions;
import java.io.Serializable;

/**
 * What the async inference operator needs to find, load and batch its model, and what to do when
 * inference times out.
 *
 * @param modelRepository root folder of the model repository
 * @param device where the model runs: cpu, gpu, gpu:N
 * @param intraOpThreads threads one model call may use
 * @param interOpThreads threads for independent operators within one call
 * @param batching how rows are batched
 * @param timeoutPolicy fallback prediction or dead letter on timeout
 * @param fallbackScore the score of a fallback prediction
 */
public record InferenceSettings(
        String modelRepository,
        String device,
        int intraOpThreads,
        int interOpThreads,
        BatchingConfig batching,
        TimeoutPolicy timeoutPolicy,
        float fallbackScore)
        implements Serializable {

    public LoadOptions loadOptions() {
        return new LoadOptions(DeviceSpec.parse(device), intraOpThreads, interOpThreads, 3);
    }
}
