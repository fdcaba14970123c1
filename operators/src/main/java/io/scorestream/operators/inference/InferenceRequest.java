package io.scorestream.operators.inference;

import io.scorestream.operators.ingest.DecodedEvent;
import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.InferenceEvent;

/**
 * An event on its way to the inference operator: who it is, the record it came from, and the inputs
 * of the models it may need (the routed one, the cascade's large model, the fallback model). A
 * compact Flink POJO of strings and arrays: the async operator copies and checkpoints every
 * in-flight request, which for the Avro event costs several times more than scoring a small model.
 */
public class InferenceRequest {
    public String eventId;
    public String sessionId;

    /** Null when the event has no user. */
    public String userId;

    public String eventType;
    public long eventTimeMillis;

    /**
     * The Kafka record the event was decoded from: key, bytes exactly as read, topic, partition,
     * offset, timestamp. A dead letter of a later stage carries it, so the event can be replayed as
     * it came. Null only for requests made without a source (tests).
     */
    public RawRecord origin;

    /** Position of the event in its session, 1-based. */
    public int sessionEventCount;

    public long featurizeMicros;

    /** The rollout in force when the event was routed; null when none was. */
    public String rolloutId;

    /** The model version the event was routed to. */
    public ModelInput primary;

    /** The cascade's large model, when the primary is the cascade's small one; else null. */
    public ModelInput escalation;

    /** The model to ask when the primary has no answer; null when none is configured. */
    public ModelInput fallback;

    public InferenceRequest() {}

    /** A request for {@code event}, without its record, whose routed model is {@code primary}. */
    public static InferenceRequest of(
            InferenceEvent event, ModelInput primary, int sessionEventCount, long featurizeMicros) {
        InferenceRequest request = new InferenceRequest();
        request.eventId = event.getEventId();
        request.sessionId = event.getSessionId();
        request.userId = event.getUserId();
        request.eventType = event.getEventType();
        request.eventTimeMillis = event.getEventTime().toEpochMilli();
        request.primary = primary;
        request.sessionEventCount = sessionEventCount;
        request.featurizeMicros = featurizeMicros;
        return request;
    }

    /** A request for {@code decoded} that carries its record along. */
    public static InferenceRequest of(
            DecodedEvent decoded, ModelInput primary, int sessionEventCount, long featurizeMicros) {
        InferenceRequest request = of(decoded.event(), primary, sessionEventCount, featurizeMicros);
        request.origin = decoded.origin();
        return request;
    }
}
