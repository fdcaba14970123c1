package io.scorestream.operators.features;

import io.scorestream.model.ModelException;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.ModelInput;
import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.rollout.RolloutState;
import io.scorestream.operators.rollout.RolloutUpdates;
import io.scorestream.operators.rollout.StickyAssignment;
import io.scorestream.operators.routing.RoutableVersions;
import io.scorestream.operators.routing.ServedVersions;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.ModelRollout;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by session id: folds each event into the session's state (rolling aggregates and the last
 * events), routes the event to a model by its type and to a version by the rollout in force, and
 * emits it with the inputs of the models it may meet: the routed one, the cascade's large model and
 * the fallback model of the {@link ServingPlan}.
 *
 * <p>Rollouts arrive on the broadcast side from the control topic and live in broadcast state, so a
 * checkpoint or savepoint holds the rollout in force and a restore serves the same versions. A
 * session's version is sticky for the whole rollout ({@link StickyAssignment}). A rollout naming a
 * version that cannot be admitted (missing, corrupt, reading other events) is refused, counted and
 * logged; the rollout in force keeps serving. An admitted rollout's versions are loaded in the
 * TaskManager before it comes in force, when {@code versions} has a warmer.
 *
 * <p>A replayed event that a stage behind this one rejected ({@link
 * DecodedEvent#isReplayOfFoldedEvent()}: the replay header names the budget or inference stage) is
 * already part of its session: it is scored without being folded in again, against the session as
 * it stands when the replay arrives (its own features and type, the session's current count and
 * aggregates, no gap; for sequence models the session's latest steps), so its score may differ from
 * the one it would have had the first time; its prediction's position is the session's current
 * count. A session that expired meanwhile folds it in as a new session would. Such events are
 * counted in {@code replaysAlreadyInSession}.
 *
 * <p>While no rollout is in force for a model, its version is the one pinned in broadcast state
 * ({@link ServedVersions}): a job restored after a newer version was published keeps serving the
 * version it served, unless the job's settings name the model's version.
 *
 * <p>Sessions expire after {@code sessionTtl} without events (state TTL, cleaned up by RocksDB
 * compaction and incrementally on the heap backend), so state does not grow with every session ever
 * seen.
 */
public class SessionFeaturizer
        extends KeyedBroadcastProcessFunction<String, DecodedEvent, ModelRollout, InferenceRequest>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SessionFeaturizer.class);

    static final String STATE_NAME = "session";

    private final EventSpec eventSpec;
    private final SessionFeatures features;
    private final RoutableVersions versions;
    private final Duration sessionTtl;
    private final Set<String> configuredVersions;

    private transient ValueState<SessionState> session;
    private transient RolloutUpdates rolloutUpdates;
    private transient Counter replaysAlreadyInSession;
    private transient Map<String, String> served;

    /** A featurizer whose plan's versions were all resolved from {@code latest}. */
    public SessionFeaturizer(
            EventSpec eventSpec,
            int historyLength,
            RoutableVersions versions,
            Duration sessionTtl) {
        this(eventSpec, historyLength, versions, sessionTtl, Set.of());
    }

    /**
     * @param configuredVersions models whose version the job's settings name: a restored job serves
     *     the plan's version of these, and the pinned version of the others
     */
    public SessionFeaturizer(
            EventSpec eventSpec,
            int historyLength,
            RoutableVersions versions,
            Duration sessionTtl,
            Set<String> configuredVersions) {
        this.eventSpec = eventSpec;
        this.features = new SessionFeatures(eventSpec, historyLength);
        this.versions = versions;
        this.sessionTtl = sessionTtl;
        this.configuredVersions = Set.copyOf(configuredVersions);
        for (ModelTarget target : versions.plan().targets().values()) {
            target.checkHistoryCovers(historyLength);
        }
    }

    /** The session state, written by {@link SessionStateSerializer}, expiring after {@code ttl}. */
    static ValueStateDescriptor<SessionState> stateDescriptor(Duration ttl) {
        ValueStateDescriptor<SessionState> descriptor =
                new ValueStateDescriptor<>(STATE_NAME, SessionStateSerializer.INSTANCE);
        descriptor.enableTimeToLive(ttlConfig(ttl));
        return descriptor;
    }

    static StateTtlConfig ttlConfig(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .cleanupFullSnapshot()
                .cleanupIncrementally(10, false)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        served =
                ServedVersions.reconcile(
                        context.getOperatorStateStore()
                                .getBroadcastState(ServedVersions.DESCRIPTOR),
                        versions,
                        configuredVersions,
                        "Session featurizer",
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // The pins live in broadcast state, which Flink snapshots itself.
    }

    @Override
    public void open(OpenContext openContext) {
        session = getRuntimeContext().getState(stateDescriptor(sessionTtl));
        var metrics = getRuntimeContext().getMetricGroup();
        rolloutUpdates = new RolloutUpdates(metrics, "Session featurizer", versions);
        replaysAlreadyInSession = metrics.counter("replaysAlreadyInSession");
        versions.open(getRuntimeContext());
    }

    @Override
    public void close() throws Exception {
        versions.close();
        super.close();
    }

    @Override
    public void processBroadcastElement(
            ModelRollout rollout, Context ctx, Collector<InferenceRequest> out) throws Exception {
        rolloutUpdates.apply(rollout, ctx.getBroadcastState(RolloutState.DESCRIPTOR));
    }

    @Override
    public void processElement(
            DecodedEvent decoded, ReadOnlyContext ctx, Collector<InferenceRequest> out)
            throws Exception {
        long started = System.nanoTime();
        InferenceEvent event = decoded.event();
        int typeIndex = eventSpec.typeIndex(event.getEventType());
        SessionState state = session.value();
        Observation observation;
        if (state != null && decoded.isReplayOfFoldedEvent()) {
            replaysAlreadyInSession.inc();
            observation = features.replayed(state, typeIndex, event.getFeatures());
        } else {
            if (state == null) {
                state = new SessionState();
            }
            observation =
                    features.observe(
                            state,
                            typeIndex,
                            event.getFeatures(),
                            event.getEventTime().toEpochMilli());
            session.update(state);
        }

        ReadOnlyBroadcastState<String, ModelRollout> rollouts =
                ctx.getBroadcastState(RolloutState.DESCRIPTOR);
        ServingPlan plan = versions.plan();
        String model = plan.modelFor(event.getEventType());
        ModelRollout rollout = RolloutState.inForce(rollouts, model);
        InferenceRequest request =
                InferenceRequest.of(
                        decoded,
                        input(rollouts, model, event.getSessionId(), state, observation),
                        (int) observation.count(),
                        0);
        request.rolloutId = rollout == null ? null : rollout.getRolloutId();
        var cascade = plan.cascadeFrom(model);
        if (cascade.isPresent()) {
            request.escalation =
                    input(rollouts, cascade.get().to(), event.getSessionId(), state, observation);
        }
        var fallback = plan.fallbackFor(model);
        if (fallback.isPresent()) {
            request.fallback =
                    input(rollouts, fallback.get(), event.getSessionId(), state, observation);
        }
        request.featurizeMicros = (System.nanoTime() - started) / 1_000;
        out.collect(request);
    }

    /**
     * {@code model}'s input, at the version the rollout in force gives this session, or at the
     * pinned version when no rollout is in force.
     */
    private ModelInput input(
            ReadOnlyBroadcastState<String, ModelRollout> rollouts,
            String model,
            String sessionId,
            SessionState state,
            Observation observation)
            throws Exception {
        String version =
                StickyAssignment.versionFor(
                        RolloutState.inForce(rollouts, model), servedVersion(model), sessionId);
        ModelTarget target;
        try {
            target = versions.target(model, version);
        } catch (ModelException | IllegalArgumentException gone) {
            // Admitted once, unreadable now (removed from the repository after a restore, say):
            // the planned version serves rather than the job failing on every event.
            target = versions.plan().target(model);
            LOG.warn(
                    "{}:{} is unreadable, serving {}: {}",
                    model,
                    version,
                    target,
                    gone.getMessage());
        }
        return new ModelInput(
                target.name(), target.version(), target.buildInput(features, state, observation));
    }

    private String servedVersion(String model) {
        String pinned = served == null ? null : served.get(model);
        return pinned != null ? pinned : versions.plan().target(model).version();
    }
}
