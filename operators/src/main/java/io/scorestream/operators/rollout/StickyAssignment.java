package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Which version scores a session: sessions are spread over {@link #BUCKETS} buckets by a
 * MurmurHash3 of their id, and the candidate takes the buckets below {@code candidatePercent}
 * percent of them.
 *
 * <ul>
 *   <li><b>Sticky</b>: the bucket depends only on the model and the session id, so every event of a
 *       session goes to the same version for as long as the rollout's percent stands, on every
 *       subtask, after restarts and on other JVMs.
 *   <li><b>Monotone</b>: raising the percent only adds buckets, so a session on the candidate never
 *       moves back to stable while a rollout ramps up.
 *   <li>The model name seeds the hash, so the canary sessions of two models' rollouts are
 *       independent rather than the same unlucky sessions each time.
 * </ul>
 *
 * <p>There are 10 000 buckets although percents are whole numbers, so finer shares (basis points)
 * could be added later without moving a single session.
 */
public final class StickyAssignment {

    /** Buckets sessions are hashed into; the candidate owns {@code percent * BUCKETS / 100}. */
    public static final int BUCKETS = 10_000;

    private StickyAssignment() {}

    /**
     * The version that scores {@code sessionId}.
     *
     * @param rolloutOrNull the rollout in force for the model, or null when there is none
     * @param defaultVersion served when no rollout is in force (the job's configured version)
     * @param sessionId the session's id
     * @return the rollout's candidate version when the session's bucket is below its percent, its
     *     stable version otherwise, or {@code defaultVersion} without a rollout
     */
    public static String versionFor(
            ModelRollout rolloutOrNull, String defaultVersion, String sessionId) {
        if (rolloutOrNull == null) {
            return defaultVersion;
        }
        return onCandidate(rolloutOrNull, sessionId)
                ? rolloutOrNull.getCandidateVersion()
                : rolloutOrNull.getStableVersion();
    }

    /** True when {@code rollout} sends {@code sessionId} to its candidate version. */
    public static boolean onCandidate(ModelRollout rollout, String sessionId) {
        return rollout.getCandidateVersion() != null
                && rollout.getCandidatePercent() > 0
                && bucket(rollout.getModel(), sessionId)
                        < (long) rollout.getCandidatePercent() * BUCKETS / 100;
    }

    /** The session's bucket for {@code model}, in {@code [0, BUCKETS)}. */
    public static int bucket(String model, String sessionId) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sessionId, "sessionId");
        int seed = Murmur3.hash32(model.getBytes(StandardCharsets.UTF_8), 0);
        int hash = Murmur3.hash32(sessionId.getBytes(StandardCharsets.UTF_8), seed);
        return Integer.remainderUnsigned(hash, BUCKETS);
    }
}
