package io.scorestream.operators.ingest;

import io.scorestream.operators.typeinfo.OpaqueTypeInfo;
import io.scorestream.schemas.InferenceEvent;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Decoded events as Flink sees them: serialized by {@link InferenceEventSerializer}. */
public final class InferenceEventTypeInfo extends OpaqueTypeInfo<InferenceEvent> {
    private static final long serialVersionUID = 1L;

    public static final InferenceEventTypeInfo INSTANCE = new InferenceEventTypeInfo();

    @Override
    public Class<InferenceEvent> getTypeClass() {
        return InferenceEvent.class;
    }

    @Override
    public TypeSerializer<InferenceEvent> createSerializer(SerializerConfig config) {
        return InferenceEventSerializer.INSTANCE;
    }
}
