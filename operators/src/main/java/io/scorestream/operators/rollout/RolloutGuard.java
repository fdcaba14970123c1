package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a model's candidate version during a rollout and rolls it back when it misbehaves.
 * Control records come in broadcast (with {@link RolloutState#DESCRIPTOR}) and say which versions
 * are stable and candidate. A record the job cannot serve is refused here as the session featurizer
 * refuses it ({@link RolloutAdmission}, counted as {@code rolloutsRefused}): the guard keeps
 * watching the rollout still serving, and its rollback of that rollout supersedes the one the
 * featurizer has in force.
 *
 * <p>Its input is each prediction's {@link RoutedCall} (made next to the assembler by {@link
 * RoutedCalls}, so a few fields cross the network rather than the whole prediction), keyed by the
 * model the event was routed to: the first step of its path, even when a fallback model answered.
 * Per side (stable, candidate) the guard counts, over a sliding window of the predictions' scored
 * time: the error rate (routed calls that gave no answer: timeout, error, open circuit,
 * unavailable; over-budget predictions never reached a model and count for nothing), the p99 of the
 * inference latency (of answers timed alone: not cached, no cascade step after), and the
 * distribution of scores in fixed bins (of predictions whose score is the routed version's answer).
 * Once both sides have {@code minSamples} predictions it judges after every prediction; when the
 * candidate's error rate or p99 is above its maximum, or the PSI of its scores against the stable
 * version's is, it emits a rollback: the same model and stable version, candidate percent 0, issued
 * by {@code auto-rollback}, with the breaches in words as the reason. The job writes it to the
 * control topic, from where it comes back as the rollout in force, so traffic returns to stable
 * without a restart and people see the decision. The decision is also logged at WARN and counted
 * ({@code rollbacks}), and made once per rollout.
 *
 * <p>The window is ten panes of a tenth of its length each: a sample is forgotten once its pane is
 * ten panes behind the newest, and each pane's counts are subtracted from the totals as it leaves.
 * Panes and totals are fixed-size counts in keyed state (RocksDB in the job), so the window
 * survives checkpoints, restores and rescaling, and costs the same at any traffic. A change of the
 * rollout's versions, of the window length or of the p99 limit starts a new window.
 *
 * <p>Rollback records are idempotent: their id derives from the rollout they replace, and they name
 * it in {@code supersedes}, so a duplicate (after a restore, or from the at-least-once sink) is
 * ignored once a newer record is in force. All predictions of a model meet in one subtask: the work
 * per prediction is a few small state reads and writes.
 */
public class RolloutGuard
        extends KeyedBroadcastProcessFunction<String, RoutedCall, ModelRollout, ModelRollout> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RolloutGuard.class);

    /** Who auto-rollback records are issued by. */
    public static final String ISSUER = "auto-rollback";

    /** Panes per window: the window slides by a tenth of its length. */
    static final int PANES = 10;

    private final RollbackPolicy policy;
    private final RolloutAdmission admission;
    private final long paneMillis;
    private final long latencyLimitMicros;

    private transient ValueState<GuardWindow> window;
    private transient MapState<Long, VersionStats> stablePanes;
    private transient MapState<Long, VersionStats> candidatePanes;
    private transient ValueState<String> decidedRollout;
    private transient RollbackJudge judge;
    private transient RolloutUpdates updates;
    private transient Counter rollbacks;

    /** A guard that takes every valid control record as the rollout in force. */
    public RolloutGuard(RollbackPolicy policy) {
        this(policy, RolloutAdmission.everything());
    }

    /**
     * @param policy when to roll back
     * @param admission which rollouts the job can serve: the same the featurizer refuses by
     */
    public RolloutGuard(RollbackPolicy policy, RolloutAdmission admission) {
        this.policy = policy;
        this.admission = admission;
        this.paneMillis = Math.max(1, ceilDiv(policy.window().toMillis(), PANES));
        this.latencyLimitMicros = policy.maxP99Latency().toNanos() / 1_000;
    }

    @Override
    public void open(OpenContext openContext) {
        window =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("window", GuardWindow.class));
        stablePanes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "stable-panes",
                                        Types.LONG,
                                        Types.POJO(VersionStats.class)));
        candidatePanes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "candidate-panes",
                                        Types.LONG,
                                        Types.POJO(VersionStats.class)));
        decidedRollout =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("decided-rollout", Types.STRING));
        judge = new RollbackJudge(policy);
        var metrics = getRuntimeContext().getMetricGroup();
        updates = new RolloutUpdates(metrics, "Rollout guard", admission);
        rollbacks = metrics.counter("rollbacks");
    }

    @Override
    public void processBroadcastElement(
            ModelRollout record, Context ctx, Collector<ModelRollout> out) throws Exception {
        updates.apply(record, ctx.getBroadcastState(RolloutState.DESCRIPTOR));
    }

    @Override
    public void processElement(RoutedCall call, ReadOnlyContext ctx, Collector<ModelRollout> out)
            throws Exception {
        ModelRollout rollout =
                RolloutState.inForce(
                        ctx.getBroadcastState(RolloutState.DESCRIPTOR), ctx.getCurrentKey());
        if (rollout == null
                || rollout.getCandidateVersion() == null
                || rollout.getCandidatePercent() == 0) {
            clear(); // no candidate on trial: nothing to watch, nothing to keep
            return;
        }
        if (!policy.enabled() || rollout.getRolloutId().equals(decidedRollout.value())) {
            return;
        }
        boolean candidate = rollout.getCandidateVersion().equals(call.version());
        if (!candidate && !rollout.getStableVersion().equals(call.version())) {
            return; // a version this rollout is not about (in flight from an earlier one)
        }
        long pane = call.scoredMillis() / paneMillis;
        GuardWindow current = window.value();
        if (current == null || !current.countsFor(rollout, paneMillis, latencyLimitMicros)) {
            clearWindow();
            current = new GuardWindow(rollout, paneMillis, latencyLimitMicros, pane);
        }
        if (pane <= current.newestPane - PANES) {
            return; // older than the window
        }
        if (pane > current.newestPane) {
            slide(current, pane);
        }
        MapState<Long, VersionStats> panes = candidate ? candidatePanes : stablePanes;
        VersionStats stats = panes.get(pane);
        if (stats == null) {
            stats = new VersionStats();
        }
        stats.add(call, latencyLimitMicros);
        panes.put(pane, stats);
        (candidate ? current.candidate : current.stable).add(call, latencyLimitMicros);
        window.update(current);

        Optional<String> breaches = judge.breaches(current.stable, current.candidate);
        if (breaches.isPresent()) {
            rollBack(rollout, breaches.get(), ctx.currentProcessingTime(), out);
        }
    }

    /** Moves the window's newest pane to {@code pane}; panes that fall out leave the totals. */
    private void slide(GuardWindow current, long pane) throws Exception {
        long oldestKept = pane - PANES + 1;
        expire(stablePanes, current.stable, oldestKept);
        expire(candidatePanes, current.candidate, oldestKept);
        current.newestPane = pane;
    }

    private static void expire(
            MapState<Long, VersionStats> panes, VersionStats totals, long oldestKept)
            throws Exception {
        List<Long> expired = new ArrayList<>();
        for (var entry : panes.entries()) {
            if (entry.getKey() < oldestKept) {
                totals.subtract(entry.getValue());
                expired.add(entry.getKey());
            }
        }
        for (Long pane : expired) {
            panes.remove(pane);
        }
    }

    private void rollBack(
            ModelRollout rollout, String breaches, long now, Collector<ModelRollout> out)
            throws Exception {
        ModelRollout rollback = rollbackOf(rollout, breaches, now);
        LOG.warn(
                "Rolling back candidate {} of {} to stable {}: {}",
                rollout.getCandidateVersion(),
                rollout.getModel(),
                rollout.getStableVersion(),
                rollback.getReason());
        rollbacks.inc();
        out.collect(rollback);
        decidedRollout.update(rollout.getRolloutId());
        clearWindow(); // a later trial of the same candidate starts from a clean window
    }

    /** The record that sends {@code rollout}'s traffic back to its stable version. */
    static ModelRollout rollbackOf(ModelRollout rollout, String breaches, long now) {
        String id =
                UUID.nameUUIDFromBytes(
                                (ISSUER + ":" + rollout.getRolloutId())
                                        .getBytes(StandardCharsets.UTF_8))
                        .toString();
        return ModelRollout.newBuilder()
                .setRolloutId(id)
                .setModel(rollout.getModel())
                .setStableVersion(rollout.getStableVersion())
                .setCandidateVersion(rollout.getCandidateVersion())
                .setCandidatePercent(0)
                .setIssuedAt(Instant.ofEpochMilli(now))
                .setIssuedBy(ISSUER)
                .setReason(
                        "candidate "
                                + rollout.getCandidateVersion()
                                + " of "
                                + rollout.getModel()
                                + " rolled back: "
                                + breaches)
                .setSupersedes(rollout.getRolloutId())
                .build();
    }

    private void clear() throws Exception {
        if (window.value() != null) {
            clearWindow();
        }
        if (decidedRollout.value() != null) {
            decidedRollout.clear();
        }
    }

    private void clearWindow() {
        window.clear();
        stablePanes.clear();
        candidatePanes.clear();
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }
}
