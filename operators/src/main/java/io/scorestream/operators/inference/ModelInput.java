package io.scorestream.operators.inference;

/**
 * One model version's input for an event. A Flink POJO.
 *
 * @see InferenceRequest
 */
public class ModelInput {
    public String model;
    public String version;

    /** The flattened input row, in the layout of this model version's manifest. */
    public float[] row;

    public ModelInput() {}

    public ModelInput(String model, String version, float[] row) {
        this.model = model;
        this.version = version;
        this.row = row;
    }

    /** {@code model:version}, as metrics and messages name model versions. */
    public String label() {
        return model + ":" + version;
    }
}
