package io.scorestream.jobs.bench;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.ScoringPipeline.InferenceStage;

/** The benchmark's baseline inference step: a plain map calling the model once per record. */
final class NaiveStage {

    private NaiveStage() {}

    static InferenceStage perRecordMap() {
        return (requests, target, settings) ->
                requests.map(
                                new NaiveInference(
                                        target.name(), target.version(), settings.inference()))
                        .name("Naive inference " + target.name() + ":" + target.version())
                        .uid(ScoringPipeline.Uids.INFERENCE + "-naive");
    }
}
