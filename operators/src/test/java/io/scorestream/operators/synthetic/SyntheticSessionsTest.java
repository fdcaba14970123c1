package io.scorestream.operators.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.scorestream.operators.testing.ReferenceModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticSessionsTest {

    @Test
    void generatesExactlyWhatThePythonGeneratorMade() {
        JsonObject golden = ReferenceModels.syntheticGolden();
        List<SyntheticSession> expected = ReferenceModels.sessions(golden);
        long start = golden.get("session_start_ms").getAsLong();
        long interval = golden.get("session_interval_ms").getAsLong();

        SyntheticSessions generator = new SyntheticSessions(golden.get("seed").getAsLong());
        for (int k = 0; k < expected.size(); k++) {
            SyntheticSession actual = generator.next(start + k * interval);
            assertThat(actual).as("session %d", k).isEqualTo(expected.get(k));
        }
    }

    @Test
    void splitMix64MatchesItsReferenceOutput() {
        // First outputs of SplitMix64 seeded with 0, as published with the algorithm.
        SplitMix64 random = new SplitMix64(0);
        assertThat(random.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(random.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
    }

    @Test
    void sessionsCarryTheirSignal() {
        SyntheticSessions generator = new SyntheticSessions(3);
        int fraud = 0;
        int buyers = 0;
        int sessions = 5_000;
        for (int i = 0; i < sessions; i++) {
            SyntheticSession session = generator.next(0);
            assertThat(session.events()).hasSizeBetween(4, 24);
            fraud += session.fraud() ? 1 : 0;
            buyers += session.buyer() ? 1 : 0;
        }
        assertThat(fraud / (double) sessions).isBetween(0.08, 0.12);
        assertThat(buyers / (double) sessions).isBetween(0.27, 0.33);
    }

    @Test
    void aSessionDrawnOneEventAtATimeIsTheSessionNextMakes() {
        SyntheticSession whole = new SyntheticSessions(9).next(1_000);
        SyntheticSessions world = new SyntheticSessions(9);
        SessionInProgress session = world.begin(1_000);
        java.util.List<io.scorestream.schemas.InferenceEvent> events = new java.util.ArrayList<>();
        while (session.hasNext()) {
            events.add(world.nextEvent(session));
        }

        assertThat(session.sessionId()).isEqualTo(whole.sessionId());
        assertThat(session.length()).isEqualTo(whole.events().size());
        assertThat(events).isEqualTo(whole.events());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> world.nextEvent(session))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no events left");
    }
}
