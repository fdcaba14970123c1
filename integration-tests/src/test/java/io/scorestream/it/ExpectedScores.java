package io.scorestream.it;

import io.scorestream.model.EngineChoice;
import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an uninterrupted run must produce: each event's position in its session and the bare model's
 * score for the features of an in-order replay of its session, computed without Flink.
 */
public record ExpectedScores(
        Map<String, Float> scoreByEvent, Map<String, Integer> positionByEvent) {

    /**
     * Session history for expected scores: the sequence length of the reference sequence models, so
     * any of them can be computed (the per-event models read none).
     */
    public static final int HISTORY = 16;

    /** The expected scores of a version of the reference models ({@link ReferenceModels#root}). */
    public static ExpectedScores of(
            ModelManifest manifest, List<SyntheticSession> sessions, int history) {
        return of(ReferenceModels.root(), manifest, sessions, history);
    }

    /** The expected scores of {@code manifest}'s version, loaded from {@code repository}. */
    public static ExpectedScores of(
            Path repository, ModelManifest manifest, List<SyntheticSession> sessions, int history) {
        return of(repository, manifest, sessions, history, EngineChoice.PRIMARY);
    }

    /**
     * The expected scores of {@code manifest}'s version, loaded from {@code repository} with {@code
     * engine}'s artifact.
     */
    public static ExpectedScores of(
            Path repository,
            ModelManifest manifest,
            List<SyntheticSession> sessions,
            int history,
            EngineChoice engine) {
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
        try (ScoringModel model =
                ModelLoader.load(
                        ModelRepository.at(repository).resolve(manifest.name(), manifest.version()),
                        LoadOptions.defaults().withEngine(engine))) {
            float[][] outputs = model.predict(rows.toArray(float[][]::new));
            for (int i = 0; i < outputs.length; i++) {
                scores.put(ids.get(i), outputs[i][0]);
            }
        }
        return new ExpectedScores(scores, positions);
    }
}
