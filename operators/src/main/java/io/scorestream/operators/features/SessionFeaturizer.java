package io.scorestream.operators.features;

import io.scorestream.model.FeatureLayout;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.ModelInput;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.routing.ServingPlan;
import io.scorestream.schemas.InferenceEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by session id: folds each event into the session's state (rolling aggregates and the last
 * events), routes the event to a model by its type, and emits it with the inputs of the models it
 * may meet: the routed one, the cascade's large model and the fallback model of the {@link
 * ServingPlan}.
 *
 * <p>Sessions expire after {@code sessionTtl} without events (state TTL, cleaned up by RocksDB
 * compaction and incrementally on the heap backend), so state does not grow with every session ever
 * seen.
 */
public class SessionFeaturizer
        extends KeyedProcessFunction<String, InferenceEvent, InferenceRequest> {
    private static final long serialVersionUID = 1L;

    static final String STATE_NAME = "session";

    private final EventSpec eventSpec;
    private final SessionFeatures features;
    private final ServingPlan plan;
    private final Duration sessionTtl;

    private transient ValueState<SessionState> session;

    public SessionFeaturizer(
            EventSpec eventSpec, int historyLength, ServingPlan plan, Duration sessionTtl) {
        this.eventSpec = eventSpec;
        this.features = new SessionFeatures(eventSpec, historyLength);
        this.plan = plan;
        this.sessionTtl = sessionTtl;
        for (ModelTarget target : plan.targets().values()) {
            checkHistoryCovers(target, historyLength);
        }
    }

    /** Builds inputs for one model version only. */
    public SessionFeaturizer(
            EventSpec eventSpec, int historyLength, ModelTarget target, Duration sessionTtl) {
        this(eventSpec, historyLength, ServingPlan.single(target), sessionTtl);
    }

    static void checkHistoryCovers(ModelTarget target, int historyLength) {
        if (target.layout() == FeatureLayout.SESSION_SEQUENCE
                && target.sequenceLength() > historyLength) {
            throw new IllegalArgumentException(
                    "session history of "
                            + historyLength
                            + " events is shorter than the sequence length "
                            + target.sequenceLength()
                            + " of model "
                            + target.name());
        }
    }

    static ValueStateDescriptor<SessionState> stateDescriptor(Duration ttl) {
        ValueStateDescriptor<SessionState> descriptor =
                new ValueStateDescriptor<>(STATE_NAME, SessionState.class);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        .cleanupFullSnapshot()
                        .cleanupIncrementally(10, false)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void open(OpenContext openContext) {
        session = getRuntimeContext().getState(stateDescriptor(sessionTtl));
    }

    @Override
    public void processElement(InferenceEvent event, Context ctx, Collector<InferenceRequest> out)
            throws Exception {
        long started = System.nanoTime();
        SessionState state = session.value();
        if (state == null) {
            state = new SessionState();
        }
        Observation observation =
                features.observe(
                        state,
                        eventSpec.typeIndex(event.getEventType()),
                        event.getFeatures(),
                        event.getEventTime().toEpochMilli());
        session.update(state);
        String model = plan.modelFor(event.getEventType());
        InferenceRequest request =
                InferenceRequest.of(
                        event,
                        input(plan.target(model), state, observation),
                        (int) observation.count(),
                        0);
        var cascade = plan.cascadeFrom(model);
        if (cascade.isPresent()) {
            request.escalation = input(plan.target(cascade.get().to()), state, observation);
        }
        var fallback = plan.fallbackFor(model);
        if (fallback.isPresent()) {
            request.fallback = input(plan.target(fallback.get()), state, observation);
        }
        request.featurizeMicros = (System.nanoTime() - started) / 1_000;
        out.collect(request);
    }

    private ModelInput input(ModelTarget target, SessionState state, Observation observation) {
        return new ModelInput(
                target.name(), target.version(), target.buildInput(features, state, observation));
    }
}
