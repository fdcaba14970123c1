package io.scorestream.operators.inference;

/** One model call on an event's way to its prediction. A Flink POJO. */
public class PathStep {
    public String model;
    public String version;
    public StepOutcome outcome;

    public PathStep() {}

    public PathStep(ModelInput input, StepOutcome outcome) {
        this.model = input.model;
        this.version = input.version;
        this.outcome = outcome;
    }

    @Override
    public String toString() {
        return model + ":" + version + "=" + outcome;
    }
}
