package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules by which control records change the rollout in force, shared by the job's operators and
 * the command line (which folds the control topic the same way to show what is in force).
 *
 * <p>A record is <em>applied</em> when it is valid and not stale; the last applied record per model
 * is the one in force.
 */
public final class ControlRecords {

    /** What a control record does to the rollout in force. */
    public enum Outcome {
        /** It becomes the rollout in force for its model. */
        APPLIED,
        /** It breaks a rule (see {@link #problems}); nothing changes. */
        INVALID,
        /**
         * It names, in {@code supersedes}, a rollout that is no longer in force; nothing changes.
         */
        STALE,
        /** It names a version this job cannot serve ({@link RolloutAdmission}); nothing changes. */
        REFUSED
    }

    /** The outcome of one record, with why when it was not applied. */
    public record Verdict(Outcome outcome, String why) {
        public boolean applied() {
            return outcome == Outcome.APPLIED;
        }
    }

    private ControlRecords() {}

    /**
     * Judges {@code next} against the rollout in force for its model.
     *
     * @param inForceOrNull the rollout in force for {@code next}'s model, or null
     */
    public static Verdict judge(ModelRollout inForceOrNull, ModelRollout next) {
        List<String> problems = problems(next);
        if (!problems.isEmpty()) {
            return new Verdict(Outcome.INVALID, String.join("; ", problems));
        }
        String supersedes = next.getSupersedes();
        // With nothing in force the record applies: the topic's retention may have deleted the
        // rollout it replaces, and then it is the oldest word on the model.
        if (supersedes != null
                && inForceOrNull != null
                && !supersedes.equals(inForceOrNull.getRolloutId())) {
            return new Verdict(
                    Outcome.STALE,
                    "it replaces rollout "
                            + supersedes
                            + " but the rollout in force is "
                            + inForceOrNull.getRolloutId());
        }
        return new Verdict(Outcome.APPLIED, null);
    }

    /**
     * Everything wrong with {@code rollout}, empty when it is valid: non-blank id, model, stable
     * version and issuer; percent in 0..100; a candidate when the percent is above 0, and one that
     * differs from the stable version.
     */
    public static List<String> problems(ModelRollout rollout) {
        List<String> problems = new ArrayList<>();
        if (blank(rollout.getRolloutId())) {
            problems.add("rolloutId is blank");
        }
        if (blank(rollout.getModel())) {
            problems.add("model is blank");
        }
        if (blank(rollout.getStableVersion())) {
            problems.add("stableVersion is blank");
        }
        if (blank(rollout.getIssuedBy())) {
            problems.add("issuedBy is blank");
        }
        int percent = rollout.getCandidatePercent();
        if (percent < 0 || percent > 100) {
            problems.add("candidatePercent must be between 0 and 100, got " + percent);
        }
        String candidate = rollout.getCandidateVersion();
        if (candidate == null) {
            if (percent > 0) {
                problems.add("candidatePercent is " + percent + " but there is no candidate");
            }
        } else if (candidate.isBlank()) {
            problems.add("candidateVersion is blank");
        } else if (candidate.equals(rollout.getStableVersion())) {
            problems.add("candidateVersion equals stableVersion (" + candidate + ")");
        }
        return problems;
    }

    /** One line for logs and the command line. */
    public static String describe(ModelRollout rollout) {
        StringBuilder text =
                new StringBuilder()
                        .append(rollout.getModel())
                        .append(": stable ")
                        .append(rollout.getStableVersion());
        if (rollout.getCandidateVersion() != null) {
            text.append(", candidate ")
                    .append(rollout.getCandidateVersion())
                    .append(" at ")
                    .append(rollout.getCandidatePercent())
                    .append(" %");
        }
        text.append(" (rollout ")
                .append(rollout.getRolloutId())
                .append(", issued ")
                .append(rollout.getIssuedAt())
                .append(" by ")
                .append(rollout.getIssuedBy());
        if (rollout.getReason() != null) {
            text.append(": ").append(rollout.getReason());
        }
        return text.append(')').toString();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
