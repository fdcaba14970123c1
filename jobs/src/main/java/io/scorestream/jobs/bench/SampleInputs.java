package io.scorestream.jobs.bench;

import io.scorestream.model.ModelManifest;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.features.Observation;
import io.scorestream.operators.features.SessionFeatures;
import io.scorestream.operators.features.SessionState;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.InferenceEvent;
import java.util.ArrayList;
import java.util.List;

/** Realistic model inputs: synthetic sessions run through the session featurizer. */
final class SampleInputs {

    private SampleInputs() {}

    static float[][] of(ModelManifest manifest, int rows, int historyLength) {
        EventSpec spec = EventSpec.of(manifest.featureSpec());
        SessionFeatures features = new SessionFeatures(spec, historyLength);
        ModelTarget target = ModelTarget.of(manifest);
        SyntheticSessions sessions = new SyntheticSessions(99);
        List<float[]> inputs = new ArrayList<>(rows);
        while (inputs.size() < rows) {
            SyntheticSession session = sessions.next(0);
            SessionState state = new SessionState();
            for (InferenceEvent event : session.events()) {
                Observation observation =
                        features.observe(
                                state,
                                spec.typeIndex(event.getEventType()),
                                event.getFeatures(),
                                event.getEventTime().toEpochMilli());
                inputs.add(target.buildInput(features, state, observation));
            }
        }
        return inputs.subList(0, rows).toArray(float[][]::new);
    }
}
