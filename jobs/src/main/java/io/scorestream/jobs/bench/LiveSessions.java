package io.scorestream.jobs.bench;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.synthetic.SessionInProgress;
import io.scorestream.operators.synthetic.SplitMix64;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The benchmark's Kafka traffic: a world of {@code live} sessions open at once, visited round
 * robin, each a session of the synthetic world drawn one event at a time. A session that has had
 * its last event is replaced at once by a new one with a new id, so new sessions arrive all the
 * time and the keys a run touches grow with it (a run of n events touches about {@code live + n /
 * 14} sessions: sessions have 4 to 24 events, 14 on average).
 *
 * <p>Why round robin over so many: at 70 000 events/s, a million open sessions means a session's
 * next event comes about 15 s after its last, and a session lasts minutes, as a user's does; every
 * event then reads a session the state backend has not touched for a million events, which is what
 * makes a state bigger than its cache slow. The sessions open at the start are taken at a random
 * point of their lives (their earlier events are skipped), so sessions end and begin from the first
 * round on, as in a world that was already running.
 *
 * <p>Each event is encoded with Avro when it is drawn and stamped with the time it is drawn, so the
 * job's latency can be measured from it. Deterministic for a seed, apart from the time stamps.
 */
final class LiveSessions {

    private final SyntheticSessions world;
    private final SessionInProgress[] open;
    private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
    private long sessions;
    private long events;

    /**
     * @param seed the world's seed
     * @param live sessions open at once
     */
    LiveSessions(long seed, int live) {
        if (live < 1) {
            throw new IllegalArgumentException("live sessions must be positive: " + live);
        }
        world = new SyntheticSessions(seed);
        open = new SessionInProgress[live];
        SplitMix64 lifePoint = new SplitMix64(~seed);
        for (int slot = 0; slot < live; slot++) {
            SessionInProgress session = begin();
            long skip = (long) (lifePoint.nextDouble() * session.length());
            for (long i = 0; i < skip; i++) {
                world.nextEvent(session);
            }
            open[slot] = session;
        }
    }

    /** The next event, stamped with {@code nowMillis}, as the Kafka record a producer sends. */
    RawRecord next(long nowMillis) {
        int slot = (int) (events++ % open.length);
        if (!open[slot].hasNext()) {
            open[slot] = begin();
        }
        InferenceEvent event = world.nextEvent(open[slot]);
        event.setEventTime(Instant.ofEpochMilli(nowMillis));
        return new RawRecord(
                event.getSessionId().getBytes(StandardCharsets.UTF_8),
                codec.encode(event),
                "bench",
                0,
                events - 1,
                nowMillis);
    }

    /**
     * Distinct sessions in the events drawn so far: the open sessions of the start that had an
     * event, and every session begun since.
     */
    long distinctSessions() {
        return Math.min(events, open.length) + (sessions - open.length);
    }

    /** Sessions open at once. */
    int live() {
        return open.length;
    }

    private SessionInProgress begin() {
        sessions++;
        return world.begin(0);
    }
}
