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

    @Test
    void withoutHistoryASessionKeepsOnlyItsAggregatesAndBuildsTheSameAggregateInputs() {
        SessionFeatures none = new SessionFeatures(SPEC, 0);
        SessionFeatures sixteen = new SessionFeatures(SPEC, 16);
        SessionState small = new SessionState();
        SessionState full = new SessionState();
        for (int i = 0; i < 20; i++) {
            InferenceEvent event = event(i);
            Observation withoutSteps = observe(none, small, event);
            Observation withSteps = observe(sixteen, full, event);
            assertThat(none.eventWithSessionAggregates(small, withoutSteps))
                    .containsExactly(sixteen.eventWithSessionAggregates(full, withSteps));
        }
        assertThat(small.recentSteps).isEmpty();
        assertThat(small.count).isEqualTo(20);
    }

    @Test
    void aSessionKeptWithAnotherHistoryLengthKeepsItsNewestStepsInOrder() {
        SessionFeatures four = new SessionFeatures(SPEC, 4);
        SessionFeatures sixteen = new SessionFeatures(SPEC, 16);
        SessionState state = new SessionState();
        for (int i = 0; i < 10; i++) {
            observe(sixteen, state, event(i));
        }

        observe(four, state, event(10)); // restored with a shorter history
        assertThat(amounts(four, state, 4)).containsExactly(7f, 8f, 9f, 10f);

        observe(sixteen, state, event(11)); // and with a longer one again
        assertThat(amounts(sixteen, state, 6)).containsExactly(0f, 7f, 8f, 9f, 10f, 11f);
        assertThat(state.recentSteps).hasSize(16 * sixteen.stepWidth());

        observe(new SessionFeatures(SPEC, 0), state, event(12)); // by a job that keeps none
        assertThat(state.recentSteps).isEmpty();
        observe(four, state, event(13));
        assertThat(amounts(four, state, 4)).containsExactly(0f, 0f, 0f, 13f);
        assertThat(state.count).isEqualTo(14);
    }

    /** The amount (first feature) of each of the last {@code length} steps, oldest first. */
    private static float[] amounts(SessionFeatures features, SessionState state, int length) {
        float[] sequence = features.sessionSequence(state, length);
        float[] amounts = new float[length];
        for (int k = 0; k < length; k++) {
            amounts[k] = sequence[k * features.stepWidth()];
        }
        return amounts;
    }

    private static InferenceEvent event(int i) {
        return InferenceEvent.newBuilder()
                .setEventId("e" + i)
                .setSessionId("s")
                .setEventType("view")
                .setEventTime(java.time.Instant.ofEpochMilli(i * 1000L))
                .setFeatures(java.util.List.of((float) i, 1f, 0.5f, 0.2f, 0.1f, 1f))
                .build();
    }

    static Observation observe(SessionFeatures features, SessionState state, InferenceEvent event) {
        return features.observe(
                state,
                SPEC.typeIndex(event.getEventType()),
                event.getFeatures(),
                event.getEventTime().toEpochMilli());
    }
}
