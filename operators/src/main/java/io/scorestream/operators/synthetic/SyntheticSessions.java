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

    private static final double[] BUYER_TYPE_MIX = {0.35, 0.30, 0.22, 0.13};
    private static final double[] BROWSER_TYPE_MIX = {0.60, 0.32, 0.06, 0.02};

    private final long seed;
    private final SplitMix64 random;
    private long sessionsMade;

    public SyntheticSessions(long seed) {
        this.seed = seed;
        this.random = new SplitMix64(seed);
    }

    /** The next session, its first event at {@code startMillis}. */
    public SyntheticSession next(long startMillis) {
        String sessionId = "s-" + seed + "-" + sessionsMade++;
        boolean buyer = random.nextDouble() < 0.3;
        boolean fraud = random.nextDouble() < 0.1;
        int length = 4 + (int) Math.floor(random.nextDouble() * 21);
        String userId = "u-" + (long) Math.floor(random.nextDouble() * 10000);

        List<InferenceEvent> events = new ArrayList<>(length);
        long time = startMillis;
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                double gapSeconds = fraud ? random.uniform(0.02, 0.3) : random.uniform(0.2, 3.0);
                time += (long) Math.floor(gapSeconds * 1000.0);
            }
            String type = EVENT_TYPES.get(pick(buyer ? BUYER_TYPE_MIX : BROWSER_TYPE_MIX));
            List<Float> features =
                    List.of(
                            (float) (fraud ? random.uniform(1.0, 4.0) : random.uniform(0.1, 1.8)),
                            (float) (buyer ? random.uniform(0.4, 2.5) : random.uniform(0.05, 1.2)),
                            (float) (buyer ? random.uniform(0.35, 1.0) : random.uniform(0.0, 0.8)),
                            (float) (fraud ? random.uniform(0.35, 1.0) : random.uniform(0.0, 0.55)),
                            (float) (fraud ? random.uniform(0.4, 2.5) : random.uniform(0.0, 0.9)),
                            (float) (fraud ? random.uniform(0.8, 3.0) : random.uniform(0.1, 1.3)));
            events.add(
                    InferenceEvent.newBuilder()
                            .setEventId(sessionId + "-" + i)
                            .setSessionId(sessionId)
                            .setUserId(userId)
                            .setEventType(type)
                            .setEventTime(Instant.ofEpochMilli(time))
                            .setFeatures(features)
                            .build());
        }
        return new SyntheticSession(sessionId, userId, fraud, buyer, List.copyOf(events));
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
