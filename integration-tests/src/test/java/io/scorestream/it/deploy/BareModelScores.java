package io.scorestream.it.deploy;

import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelLocation;
import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelRepository;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.features.Observation;
import io.scorestream.operators.features.SessionFeatures;
import io.scorestream.operators.features.SessionState;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an uninterrupted run produces, computed without Flink: each event's position in its session
 * ({@code sessionEventCount}) and the bare model's score for an in-order replay of its session.
 */
record BareModelScores(Map<String, Float> scoreByEvent, Map<String, Integer> positionByEvent) {

    static BareModelScores of(String model, List<SyntheticSession> sessions, int history) {
        ModelRepository repository = ModelRepository.at(ReferenceModels.root());
        ModelLocation location = repository.resolveLatest(model);
        ModelManifest manifest = location.manifest();
        EventSpec spec = EventSpec.of(manifest.featureSpec());
        SessionFeatures features = new SessionFeatures(spec, history);
        ModelTarget target = ModelTarget.of(manifest);
        List<String> ids = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        Map<String, Integer> positions = new HashMap<>();
        for (SyntheticSession session : sessions) {
            SessionState state = new SessionState();
            for (InferenceEvent event : session.events()) {
                Observation observation =
                        features.observe(
                                state,
                                spec.typeIndex(event.getEventType()),
                                event.getFeatures(),
                                event.getEventTime().toEpochMilli());
                rows.add(target.buildInput(features, state, observation));
                ids.add(event.getEventId());
                positions.put(event.getEventId(), (int) observation.count());
            }
        }
        Map<String, Float> scores = new HashMap<>();
        try (ScoringModel scoring = ModelLoader.load(location, LoadOptions.defaults())) {
            float[][] outputs = scoring.predict(rows.toArray(float[][]::new));
            for (int i = 0; i < outputs.length; i++) {
                scores.put(ids.get(i), outputs[i][0]);
            }
        }
        return new BareModelScores(scores, positions);
    }
}
