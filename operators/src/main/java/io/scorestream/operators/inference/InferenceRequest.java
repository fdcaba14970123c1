package io.scorestream.operators.inference;

import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An event on its way to the inference operator: who it is, and the inputs of the models it may
 * need (the routed one, the cascade's large model, the fallback model). A compact Flink POJO of
 * strings and arrays: the async operator copies and checkpoints every in-flight request, which for
 * the Avro event costs several times more than scoring a small model.
 */
public class InferenceRequest {
    public String eventId;
    public String sessionId;

    /** Null when the event has no user. */
    public String userId;

    public String eventType;
    public long eventTimeMillis;

    /** The event's own features: with the fields above they rebuild the event for dead letters. */
    public float[] features;

    /** The event's free-form attributes, as parallel arrays; null when it had none. */
    public String[] attributeKeys;

    public String[] attributeValues;

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

    /** A request for {@code event} whose routed model is {@code primary}. */
    public static InferenceRequest of(
            InferenceEvent event, ModelInput primary, int sessionEventCount, long featurizeMicros) {
        InferenceRequest request = new InferenceRequest();
        request.eventId = event.getEventId();
        request.sessionId = event.getSessionId();
        request.userId = event.getUserId();
        request.eventType = event.getEventType();
        request.eventTimeMillis = event.getEventTime().toEpochMilli();
        List<Float> features = event.getFeatures();
        request.features = new float[features.size()];
        for (int i = 0; i < request.features.length; i++) {
            request.features[i] = features.get(i);
        }
        Map<String, String> attributes = event.getAttributes();
        if (attributes != null) {
            request.attributeKeys = attributes.keySet().toArray(new String[0]);
            request.attributeValues = new String[request.attributeKeys.length];
            for (int i = 0; i < request.attributeKeys.length; i++) {
                request.attributeValues[i] = attributes.get(request.attributeKeys[i]);
            }
        }
        request.primary = primary;
        request.sessionEventCount = sessionEventCount;
        request.featurizeMicros = featurizeMicros;
        return request;
    }

    /** The event this request was made from, as it arrived: dead letters carry it re-encoded. */
    public InferenceEvent toEvent() {
        List<Float> featureList = new ArrayList<>(features.length);
        for (float feature : features) {
            featureList.add(feature);
        }
        Map<String, String> attributes = null;
        if (attributeKeys != null) {
            attributes = new HashMap<>();
            for (int i = 0; i < attributeKeys.length; i++) {
                attributes.put(attributeKeys[i], attributeValues[i]);
            }
        }
        return InferenceEvent.newBuilder()
                .setEventId(eventId)
                .setSessionId(sessionId)
                .setUserId(userId)
                .setEventType(eventType)
                .setEventTime(Instant.ofEpochMilli(eventTimeMillis))
                .setFeatures(featureList)
                .setAttributes(attributes)
                .build();
    }
}
