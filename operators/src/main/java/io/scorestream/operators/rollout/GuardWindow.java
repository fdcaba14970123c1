package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;

/**
 * One model's sliding window in the {@link RolloutGuard}: which versions and limits it was counted
 * for, its newest pane, and the totals of its panes per side. A Flink POJO, kept in keyed state.
 */
public class GuardWindow {

    public String stableVersion;
    public String candidateVersion;

    /** Pane length and p99 limit the samples were counted with: a change starts a new window. */
    public long paneMillis;

    public long latencyLimitMicros;

    /** Index (scored time / pane length) of the newest pane; older panes leave as it advances. */
    public long newestPane;

    /** Sums of the stable and candidate panes in the window. */
    public VersionStats stable;

    public VersionStats candidate;

    public GuardWindow() {}

    GuardWindow(ModelRollout rollout, long paneMillis, long latencyLimitMicros, long pane) {
        this.stableVersion = rollout.getStableVersion();
        this.candidateVersion = rollout.getCandidateVersion();
        this.paneMillis = paneMillis;
        this.latencyLimitMicros = latencyLimitMicros;
        this.newestPane = pane;
        this.stable = new VersionStats();
        this.candidate = new VersionStats();
    }

    /** True when this window counts the rollout's versions with these settings and bins. */
    boolean countsFor(ModelRollout rollout, long paneMillis, long latencyLimitMicros) {
        return rollout.getStableVersion().equals(stableVersion)
                && rollout.getCandidateVersion().equals(candidateVersion)
                && this.paneMillis == paneMillis
                && this.latencyLimitMicros == latencyLimitMicros
                && stable.latencyBins.length == LatencyBins.COUNT
                && stable.scoreBins.length == ScoreBins.COUNT;
    }
}
