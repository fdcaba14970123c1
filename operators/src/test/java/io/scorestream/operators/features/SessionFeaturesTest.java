package io.scorestream.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.InferenceEvent;
import org.junit.jupiter.api.Test;

class SessionFeaturesTest {

    static final EventSpec SPEC =
            new EventSpec(SyntheticSessions.EVENT_TYPES, SyntheticSessions.EVENT_FEATURES.size());

    @Test
    void buildsTheSameInputsAsThePythonFeaturizer() {
        JsonObject golden = ReferenceModels.syntheticGolden();
        float[][] aggregates =
                ReferenceModels.rows(golden.getAsJsonArray("event_with_session_aggregates"));
        float[][] sequences = ReferenceModels.rows(golden.getAsJsonArray("session_sequence"));
        SessionFeatures features = new SessionFeatures(SPEC, 16);

        int row = 0;
        for (SyntheticSession session : ReferenceModels.sessions(golden)) {
            SessionState state = new SessionState();
            for (InferenceEvent event : session.events()) {
                Observation observation = observe(features, state, event);
                assertThat(features.eventWithSessionAggregates(state, observation))
                        .as("aggregates of %s", event.getEventId())
                        .containsExactly(aggregates[row], within(1e-6f));
                assertThat(features.sessionSequence(state, 16))
                        .as("sequence of %s", event.getEventId())
                        .containsExactly(sequences[row], within(1e-6f));
                row++;
            }
        }
        assertThat(row).isEqualTo(aggregates.length);
    }

    @Test
    void keepsOnlyTheLastStepsOfALongSession() {
        SessionFeatures features = new SessionFeatures(SPEC, 4);
        SessionState state = new SessionState();
        for (int i = 0; i < 10; i++) {
            InferenceEvent event =
                    InferenceEvent.newBuilder()
                            .setEventId("e" + i)
                            .setSessionId("s")
                            .setEventType(i % 2 == 0 ? "view" : "checkout")
                            .setEventTime(java.time.Instant.ofEpochMilli(i * 1000L))
                            .setFeatures(java.util.List.of((float) i, 0f, 0f, 0f, 0f, 0f))
                            .build();
            observe(features, state, event);
        }
        float[] sequence = features.sessionSequence(state, 4);
        int width = features.stepWidth();
        for (int k = 0; k < 4; k++) {
            float amount = sequence[k * width];
            boolean checkout = sequence[k * width + 6 + 3] == 1f;
            assertThat(amount).isEqualTo(6f + k);
            assertThat(checkout).isEqualTo((6 + k) % 2 == 1);
            assertThat(sequence[k * width + 10]).isEqualTo((float) Math.log1p(1.0), within(1e-7f));
        }
        assertThat(state.count).isEqualTo(10);
        assertThat(state.sums[0]).isEqualTo(45.0);
        assertThat(state.maxs[0]).isEqualTo(9f);
    }

    static Observation observe(SessionFeatures features, SessionState state, InferenceEvent event) {
        return features.observe(
                state,
                SPEC.typeIndex(event.getEventType()),
                event.getFeatures(),
                event.getEventTime().toEpochMilli());
    }
}
