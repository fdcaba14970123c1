package io.scorestream.jobs.bench;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.ScoringPipeline.InferenceStage;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.ScoredRow;
import org.apache.flink.api.common.functions.MapFunction;

/** Inference steps the benchmark compares ScoreStream's against. */
final class BaselineStages {

    private BaselineStages() {}

    /** What users write today: a plain map calling the model once per record. */
    static InferenceStage perRecordMap() {
        return (requests, plan, settings) -> {
            ModelTarget target = plan.target(plan.defaultModel());
            return requests.map(
                            new NaiveInference(
                                    target.name(), target.version(), settings.inference()))
                    .name("Naive inference " + target.name() + ":" + target.version())
                    .uid(ScoringPipeline.Uids.INFERENCE + "-naive");
        };
    }

    /**
     * No model at all: every request gets a constant score. The pipeline around it (decode, keyed
     * session state, assembly, Kafka with exactly-once) is the framework's ceiling.
     */
    static InferenceStage noModel() {
        return (requests, plan, settings) ->
                requests.map(new ConstantScore())
                        .name("No model")
                        .uid(ScoringPipeline.Uids.INFERENCE + "-none");
    }

    private static final class ConstantScore
            implements MapFunction<InferenceRequest, InferenceResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public InferenceResult map(InferenceRequest request) {
            return InferenceResult.scored(request, new ScoredRow(new float[] {0f}, 0, 0, 0), 0);
        }
    }
}
