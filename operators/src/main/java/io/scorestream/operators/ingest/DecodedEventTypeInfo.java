package io.scorestream.operators.ingest;

import io.scorestream.operators.typeinfo.OpaqueTypeInfo;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Decoded events as Flink sees them: serialized by {@link DecodedEventSerializer}. */
public final class DecodedEventTypeInfo extends OpaqueTypeInfo<DecodedEvent> {
    private static final long serialVersionUID = 1L;

    public static final DecodedEventTypeInfo INSTANCE = new DecodedEventTypeInfo();

    @Override
    public Class<DecodedEvent> getTypeClass() {
        return DecodedEvent.class;
    }

    @Override
    public TypeSerializer<DecodedEvent> createSerializer(SerializerConfig config) {
        return DecodedEventSerializer.INSTANCE;
    }
}
