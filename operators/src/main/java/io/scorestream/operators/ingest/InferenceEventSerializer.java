package io.scorestream.operators.ingest;

import io.scorestream.schemas.InferenceEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes decoded events between operators (the keyBy to the session featurizer) field by field.
 * Flink's generic Avro serializer resolves unions and walks a schema grammar for every record,
 * which made this one shuffle cost as much CPU as decoding the Kafka value; the event's fields are
 * fixed by {@code InferenceEvent.avsc}, so they are written directly.
 *
 * <p>Event times keep millisecond precision, as the schema's {@code timestamp-millis} does.
 */
public final class InferenceEventSerializer extends TypeSerializerSingleton<InferenceEvent> {
    private static final long serialVersionUID = 1L;

    public static final InferenceEventSerializer INSTANCE = new InferenceEventSerializer();

    private static final int ABSENT = -1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public InferenceEvent createInstance() {
        return new InferenceEvent();
    }

    @Override
    public InferenceEvent copy(InferenceEvent from) {
        return new InferenceEvent(
                from.getEventId(),
                from.getSessionId(),
                from.getUserId(),
                from.getEventType(),
                from.getEventTime(),
                from.getFeatures() == null ? null : new ArrayList<>(from.getFeatures()),
                from.getAttributes() == null ? null : new HashMap<>(from.getAttributes()));
    }

    @Override
    public InferenceEvent copy(InferenceEvent from, InferenceEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(InferenceEvent event, DataOutputView out) throws IOException {
        StringValue.writeString(event.getEventId(), out);
        StringValue.writeString(event.getSessionId(), out);
        StringValue.writeString(event.getUserId(), out);
        StringValue.writeString(event.getEventType(), out);
        out.writeLong(event.getEventTime().toEpochMilli());
        List<Float> features = event.getFeatures();
        out.writeInt(features.size());
        for (Float feature : features) {
            out.writeFloat(feature);
        }
        Map<String, String> attributes = event.getAttributes();
        if (attributes == null) {
            out.writeInt(ABSENT);
            return;
        }
        out.writeInt(attributes.size());
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            StringValue.writeString(attribute.getKey(), out);
            StringValue.writeString(attribute.getValue(), out);
        }
    }

    @Override
    public InferenceEvent deserialize(DataInputView in) throws IOException {
        String eventId = StringValue.readString(in);
        String sessionId = StringValue.readString(in);
        String userId = StringValue.readString(in);
        String eventType = StringValue.readString(in);
        Instant eventTime = Instant.ofEpochMilli(in.readLong());
        int featureCount = in.readInt();
        List<Float> features = new ArrayList<>(featureCount);
        for (int i = 0; i < featureCount; i++) {
            features.add(in.readFloat());
        }
        Map<String, String> attributes = null;
        int attributeCount = in.readInt();
        if (attributeCount != ABSENT) {
            attributes = new HashMap<>(attributeCount * 2);
            for (int i = 0; i < attributeCount; i++) {
                attributes.put(StringValue.readString(in), StringValue.readString(in));
            }
        }
        return new InferenceEvent(
                eventId, sessionId, userId, eventType, eventTime, features, attributes);
    }

    @Override
    public InferenceEvent deserialize(InferenceEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<InferenceEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; its format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InferenceEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
