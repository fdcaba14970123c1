package io.scorestream.operators.synthetic;

import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic world of {@code models/FEATURE_SPEC.md}: sessions of a buyer and/or fraudster with
 * a known signal in their events. The reference models were trained on the same generator (in
 * Python), so their scores on these events mean something and the demo can measure AUC.
 */
public final class SyntheticSessions {

    public static final List<String> EVENT_TYPES =
            List.of("view", "click", "add_to_cart", "checkout");
    public static final List<String> EVENT_FEATURES =
            List.of("amount", "dwell", "scroll_depth", "device_risk", "geo_distance", "velocity");

    private static final double[] BUYER_TYPE_MIX = {0.40, 0.30, 0.18, 0.12};
    private static final double[] BROWSER_TYPE_MIX = {0.55, 0.33, 0.09, 0.03};

    private final long seed;
    private final SplitMix64 random;
    private long sessionsMade;

    public SyntheticSessions(long seed) {
        this.seed = seed;
        this.random = new SplitMix64(seed);
    }

    /** The next session, its first event at {@code startMillis}. */
    public SyntheticSession next(long startMillis) {
        SessionInProgress session = begin(startMillis);
        List<InferenceEvent> events = new ArrayList<>(session.length);
        while (session.hasNext()) {
            events.add(nextEvent(session));
        }
        return new SyntheticSession(
                session.sessionId,
                session.userId,
                session.fraud,
                session.buyer,
                List.copyOf(events));
    }

    /**
     * The next session, with none of its events drawn yet: {@link #nextEvent} draws them. Sessions
     * whose events are drawn interleaved share this generator's random stream in the order of the
     * draws, so they are no longer the sessions {@link #next} (and the Python generator) makes for
     * the same seed, but they come from the same world.
     */
    public SessionInProgress begin(long startMillis) {
        String sessionId = "s-" + seed + "-" + sessionsMade++;
        boolean buyer = random.nextDouble() < 0.3;
        boolean fraud = random.nextDouble() < 0.1;
        // Drawn for every session, so the stream stays aligned with the Python generator. Some
        // buyers and fraudsters behave like everyone else: their label stays true but their signal
        // does not show, so no model can be perfect.
        boolean intentShows = random.nextDouble() >= 0.2;
        boolean fraudShows = random.nextDouble() >= 0.25;
        int length = 4 + (int) Math.floor(random.nextDouble() * 21);
        String userId = "u-" + (long) Math.floor(random.nextDouble() * 10000);
        return new SessionInProgress(
                sessionId,
                userId,
                fraud,
                buyer,
                buyer && intentShows,
                fraud && fraudShows,
                length,
                startMillis);
    }

    /**
     * The next event of {@code session}, which must have one left ({@link
     * SessionInProgress#hasNext}).
     */
    public InferenceEvent nextEvent(SessionInProgress session) {
        if (!session.hasNext()) {
            throw new IllegalStateException(session.sessionId + " has no events left");
        }
        boolean showsFraud = session.showsFraud;
        boolean showsIntent = session.showsIntent;
        int i = session.emitted++;
        if (i > 0) {
            double gapSeconds = showsFraud ? random.uniform(0.02, 0.8) : random.uniform(0.2, 3.0);
            session.time += (long) Math.floor(gapSeconds * 1000.0);
        }
        String type = EVENT_TYPES.get(pick(showsIntent ? BUYER_TYPE_MIX : BROWSER_TYPE_MIX));
        List<Float> features =
                List.of(
                        (float) (showsFraud ? random.uniform(0.6, 3.0) : random.uniform(0.1, 2.0)),
                        (float)
                                (showsIntent
                                        ? random.uniform(0.3, 2.0)
                                        : random.uniform(0.05, 1.4)),
                        (float)
                                (showsIntent
                                        ? random.uniform(0.25, 1.0)
                                        : random.uniform(0.0, 0.85)),
                        (float) (showsFraud ? random.uniform(0.2, 1.0) : random.uniform(0.0, 0.7)),
                        (float) (showsFraud ? random.uniform(0.2, 2.0) : random.uniform(0.0, 1.2)),
                        (float) (showsFraud ? random.uniform(0.4, 2.2) : random.uniform(0.1, 1.6)));
        return InferenceEvent.newBuilder()
                .setEventId(session.sessionId + "-" + i)
                .setSessionId(session.sessionId)
                .setUserId(session.userId)
                .setEventType(type)
                .setEventTime(Instant.ofEpochMilli(session.time))
                .setFeatures(features)
                .build();
    }

    private int pick(double[] probabilities) {
        double r = random.nextDouble();
        double cumulative = 0.0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (r < cumulative) {
                return i;
            }
        }
        return probabilities.length - 1;
    }
}
