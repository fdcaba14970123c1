package io.scorestream.operators.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.util.TimeUtils;

/**
 * Decides, from a window's totals, whether the candidate breaches the {@link RollbackPolicy}, and
 * says why in words: each breached metric with its value, its threshold and the sample sizes.
 */
final class RollbackJudge {

    private final RollbackPolicy policy;

    RollbackJudge(RollbackPolicy policy) {
        this.policy = policy;
    }

    /**
     * The breaches of the candidate, or empty when it is healthy or when either side has fewer than
     * {@code minSamples} predictions (a metric with fewer samples of its own is not judged).
     */
    Optional<String> breaches(VersionStats stable, VersionStats candidate) {
        int min = policy.minSamples();
        if (stable.predictions < min || candidate.predictions < min) {
            return Optional.empty();
        }
        List<String> breaches = new ArrayList<>();
        double errorRate = candidate.errorRate();
        if (errorRate > policy.maxErrorRate()) {
            breaches.add(
                    String.format(
                            Locale.ROOT,
                            "error rate %.4f > max %.4f (%d of %d candidate predictions were"
                                    + " fallbacks)",
                            errorRate,
                            policy.maxErrorRate(),
                            candidate.errors,
                            candidate.predictions));
        }
        if (candidate.latencySamples >= min && candidate.p99AboveLimit()) {
            breaches.add(
                    String.format(
                            Locale.ROOT,
                            "p99 inference latency %s > max %d ms (%d of %d candidate latencies"
                                    + " above the max)",
                            LatencyBins.describe(candidate.p99Bin()),
                            policy.maxP99Latency().toMillis(),
                            candidate.slowerThanLimit,
                            candidate.latencySamples));
        }
        if (stable.scored >= min && candidate.scored >= min) {
            double psi = ScoreBins.psi(stable.scoreBins, candidate.scoreBins);
            if (psi > policy.maxPsi()) {
                breaches.add(
                        String.format(
                                Locale.ROOT,
                                "score PSI %.4f > max %.4f (%d candidate against %d stable"
                                        + " scores)",
                                psi,
                                policy.maxPsi(),
                                candidate.scored,
                                stable.scored));
            }
        }
        if (breaches.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                String.join("; ", breaches)
                        + String.format(
                                Locale.ROOT,
                                "; window %s: %d candidate and %d stable predictions",
                                TimeUtils.formatWithHighestUnit(policy.window()),
                                candidate.predictions,
                                stable.predictions));
    }
}
