package io.scorestream.operators.inference;

import io.scorestream.schemas.InferenceEvent;

/**
 * An event with the model input built for it, on its way to the async inference operator. A Flink
 * POJO: the async operator checkpoints in-flight requests and replays them after a failure.
 */
public class InferenceRequest {
    public InferenceEvent event;
    public String modelName;
    public String modelVersion;

    /** The flattened model input of this event. */
    public float[] input;

    /** Position of the event in its session, 1-based. */
    public int sessionEventCount;

    public long featurizeMicros;

    public InferenceRequest() {}

    public InferenceRequest(
            InferenceEvent event,
            String modelName,
            String modelVersion,
            float[] input,
            int sessionEventCount,
            long featurizeMicros) {
        this.event = event;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.input = input;
        this.sessionEventCount = sessionEventCount;
        this.featurizeMicros = featurizeMicros;
    }
}
