package io.scorestream.operators.rollout;

import io.scorestream.schemas.ModelRollout;
import java.util.Optional;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies control records to the broadcast {@link RolloutState}, for the {@code
 * processBroadcastElement} of any function that reads the rollout. Invalid and stale records are
 * logged and counted and leave the state as it was: a bad control record never fails the job.
 *
 * <p>Counters, under the operator's metric group: {@code rolloutsApplied}, {@code rolloutsInvalid},
 * {@code rolloutsStale}, {@code rolloutsRefused}.
 */
public final class RolloutUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutUpdates.class);

    private final String operator;
    private final RolloutAdmission admission;
    private final Counter applied;
    private final Counter invalid;
    private final Counter stale;
    private final Counter refused;

    /**
     * @param metrics the operator's metric group (from {@code getRuntimeContext()} in {@code open})
     * @param operator the operator's name, for the log lines
     * @param admission the rollouts the job can serve: a refused one leaves the rollout in force
     */
    public RolloutUpdates(MetricGroup metrics, String operator, RolloutAdmission admission) {
        this.operator = operator;
        this.admission = admission;
        this.applied = metrics.counter("rolloutsApplied");
        this.invalid = metrics.counter("rolloutsInvalid");
        this.stale = metrics.counter("rolloutsStale");
        this.refused = metrics.counter("rolloutsRefused");
    }

    /**
     * Makes {@code record} the rollout in force for its model when {@link ControlRecords#judge}
     * applies it, once the admission {@linkplain RolloutAdmission#prepare prepared} its versions.
     *
     * @return the verdict, applied or not
     */
    public ControlRecords.Verdict apply(
            ModelRollout record, BroadcastState<String, ModelRollout> state) throws Exception {
        Optional<String> refusal = admission.refusal(record);
        ModelRollout inForce = record.getModel() == null ? null : state.get(record.getModel());
        ControlRecords.Verdict verdict =
                refusal.isPresent()
                        ? new ControlRecords.Verdict(ControlRecords.Outcome.REFUSED, refusal.get())
                        : ControlRecords.judge(inForce, record);
        switch (verdict.outcome()) {
            case APPLIED -> {
                admission.prepare(record);
                state.put(record.getModel(), record);
                applied.inc();
                LOG.info("{}: rollout in force for {}", operator, ControlRecords.describe(record));
            }
            case INVALID -> {
                invalid.inc();
                LOG.warn(
                        "{}: ignored invalid control record {}: {}",
                        operator,
                        record,
                        verdict.why());
            }
            case STALE -> {
                stale.inc();
                LOG.warn(
                        "{}: ignored stale control record {}: {}",
                        operator,
                        ControlRecords.describe(record),
                        verdict.why());
            }
            case REFUSED -> {
                refused.inc();
                LOG.error(
                        "{}: refused rollout {} of {}, the rollout in force keeps serving: {}",
                        operator,
                        record.getRolloutId(),
                        record.getModel(),
                        verdict.why());
            }
        }
        return verdict;
    }
}
