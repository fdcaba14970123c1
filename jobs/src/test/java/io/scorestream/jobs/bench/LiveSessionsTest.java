package io.scorestream.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveSessionsTest {

    private static final AvroCodec<InferenceEvent> CODEC = AvroCodec.of(InferenceEvent.class);

    @Test
    void visitsItsOpenSessionsRoundRobinAndReplacesEndedOnesWithNewOnes() {
        int live = 1_000;
        LiveSessions stream = new LiveSessions(4, live);
        Set<String> seen = new HashSet<>();
        Map<String, Integer> lastIndex = new HashMap<>();
        int firstRound = 0;
        int newPerRound = 0;
        for (int i = 0; i < 10 * live; i++) {
            RawRecord record = stream.next(1_700_000_000_000L + i);
            InferenceEvent event = CODEC.decode(record.value);
            String session = new String(record.key, StandardCharsets.UTF_8);
            assertThat(event.getSessionId()).isEqualTo(session);
            assertThat(event.getEventTime().toEpochMilli()).isEqualTo(1_700_000_000_000L + i);
            int index = Integer.parseInt(event.getEventId().substring(session.length() + 1));
            Integer previous = lastIndex.put(session, index);
            if (previous != null) {
                assertThat(index).as("events of %s in order", session).isEqualTo(previous + 1);
            }
            boolean isNew = seen.add(session);
            if (i < live) {
                firstRound += isNew ? 1 : 0;
            } else if (i >= 9 * live) {
                newPerRound += isNew ? 1 : 0;
            }
        }
        assertThat(firstRound).as("the first round visits every open session once").isEqualTo(live);
        // Sessions have 14.5 events on average: about one open session in 14 ends each round.
        assertThat(newPerRound).as("new sessions in the last round").isBetween(40, 110);
        assertThat(stream.distinctSessions()).isEqualTo(seen.size());
    }

    @Test
    void theSessionsOpenAtTheStartAreTakenAtRandomPointsOfTheirLives() {
        LiveSessions stream = new LiveSessions(4, 1_000);
        int started = 0;
        for (int i = 0; i < 1_000; i++) {
            InferenceEvent event = CODEC.decode(stream.next(0).value);
            started += event.getEventId().endsWith("-0") ? 1 : 0;
        }
        assertThat(started).as("sessions at their first event").isLessThan(200);
    }
}
