package io.scorestream.it.deploy;

import io.scorestream.it.ExpectedScores;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import java.util.List;
import java.util.Map;

/**
 * What an uninterrupted run produces, computed without Flink: each event's position in its session
 * ({@code sessionEventCount}) and the bare model's score for an in-order replay of its session.
 */
record BareModelScores(Map<String, Float> scoreByEvent, Map<String, Integer> positionByEvent) {

    static BareModelScores of(String model, List<SyntheticSession> sessions, int history) {
        ModelManifest manifest =
                ModelRepository.at(ReferenceModels.root()).resolveLatest(model).manifest();
        ExpectedScores expected = ExpectedScores.of(manifest, sessions, history);
        return new BareModelScores(expected.scoreByEvent(), expected.positionByEvent());
    }
}
