package io.scorestream.operators.features;

import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.ingest.EventSpec;
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
 * events) and emits the event with the model input built from it.
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
    private final ModelTarget target;
    private final Duration sessionTtl;

    private transient ValueState<SessionState> session;

    public SessionFeaturizer(
            EventSpec eventSpec, int historyLength, ModelTarget target, Duration sessionTtl) {
        this.eventSpec = eventSpec;
        this.features = new SessionFeatures(eventSpec, historyLength);
        this.target = target;
        this.sessionTtl = sessionTtl;
        if (target.layout() == io.scorestream.model.FeatureLayout.SESSION_SEQUENCE
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
        float[] input = target.buildInput(features, state, observation);
        session.update(state);
        long featurizeMicros = (System.nanoTime() - started) / 1_000;
        out.collect(
                new InferenceRequest(
                        event,
                        target.name(),
                        target.version(),
                        input,
                        (int) observation.count(),
                        featurizeMicros));
    }
}
