package io.scorestream.it.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.ExpectedScores;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.rollout.StickyAssignment;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.ModelRollout;
import io.scorestream.schemas.ModelStep;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a prediction must say when the featurizer routed its event by the rollout the prediction
 * names in {@code rolloutId}: the version {@link StickyAssignment#versionFor} gives its session
 * under that rollout (the job's configured version when it names none), as the first step of its
 * path and as its model version; that version's bare-model score of its event, computed from the
 * whole session so far whatever versions scored the earlier events; and its position in its
 * session.
 */
final class RolloutRouting {

    private final String model;
    private final String defaultVersion;
    private final Map<String, ModelRollout> rolloutsById = new HashMap<>();
    private final Map<String, ExpectedScores> scoresByVersion = new HashMap<>();

    /**
     * @param repository the job's model repository
     * @param model the routed model
     * @param defaultVersion the job's configured version, served without a rollout
     * @param versions every version a prediction may name
     * @param sessions every session the job scores
     * @param history the featurizer's history length
     */
    RolloutRouting(
            Path repository,
            String model,
            String defaultVersion,
            List<String> versions,
            List<SyntheticSession> sessions,
            int history) {
        this.model = model;
        this.defaultVersion = defaultVersion;
        ModelRepository models = ModelRepository.at(repository);
        for (String version : versions) {
            scoresByVersion.put(
                    version,
                    ExpectedScores.of(
                            repository,
                            models.resolve(model, version).manifest(),
                            sessions,
                            history));
        }
    }

    /** Makes {@code rollout} known, so predictions may name it. */
    RolloutRouting know(ModelRollout rollout) {
        rolloutsById.put(rollout.getRolloutId(), rollout);
        return this;
    }

    /** The rollout {@code prediction} names, or null when it names none. */
    ModelRollout rolloutOf(Prediction prediction) {
        String id = prediction.getRolloutId();
        if (id == null) {
            return null;
        }
        assertThat(rolloutsById)
                .as("rollout %s named by %s", id, prediction.getEventId())
                .containsKey(id);
        return rolloutsById.get(id);
    }

    /** The version {@code prediction}'s rollout gives its session. */
    String expectedVersion(Prediction prediction) {
        return StickyAssignment.versionFor(
                rolloutOf(prediction), defaultVersion, prediction.getSessionId());
    }

    /** Every prediction was routed by the rollout it names and scored by that version. */
    void assertRoutedByTheirRollout(Collection<Prediction> predictions) {
        for (Prediction prediction : predictions) {
            String id = prediction.getEventId();
            String version = expectedVersion(prediction);
            ExpectedScores expected = scoresByVersion.get(version);
            assertThat(expected).as("scores of %s:%s", model, version).isNotNull();
            assertThat(prediction.getPath())
                    .as("path of %s", id)
                    .containsExactly(new ModelStep(model, version, "SCORED"));
            assertThat(prediction.getModelName()).as("model of %s", id).isEqualTo(model);
            assertThat(prediction.getModelVersion()).as("version of %s", id).isEqualTo(version);
            assertThat(prediction.getFallback()).as("fallback for %s", id).isFalse();
            assertThat(prediction.getSessionEventCount())
                    .as("position of %s in its session", id)
                    .isEqualTo(expected.positionByEvent().get(id));
            assertThat(prediction.getScore())
                    .as("score of %s by %s:%s", id, model, version)
                    .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
        }
    }
}
