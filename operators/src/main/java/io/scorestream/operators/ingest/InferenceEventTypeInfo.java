package io.scorestream.operators.ingest;

import io.scorestream.schemas.InferenceEvent;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Decoded events as Flink sees them: serialized by {@link InferenceEventSerializer}. */
public final class InferenceEventTypeInfo extends TypeInformation<InferenceEvent> {
    private static final long serialVersionUID = 1L;

    public static final InferenceEventTypeInfo INSTANCE = new InferenceEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<InferenceEvent> getTypeClass() {
        return InferenceEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<InferenceEvent> createSerializer(SerializerConfig config) {
        return InferenceEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "InferenceEvent";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InferenceEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return InferenceEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof InferenceEventTypeInfo;
    }
}
