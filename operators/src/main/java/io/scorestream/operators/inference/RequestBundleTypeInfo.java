package io.scorestream.operators.inference;

import io.scorestream.operators.typeinfo.OpaqueTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;

/**
 * Bundles as Flink sees them: serialized by {@link RequestBundleSerializer} around Flink's own
 * serializer for the array of requests (POJOs).
 */
public final class RequestBundleTypeInfo extends OpaqueTypeInfo<RequestBundle> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<InferenceRequest[]> requests =
            ObjectArrayTypeInfo.getInfoFor(
                    InferenceRequest[].class, TypeInformation.of(InferenceRequest.class));

    /** Found by Flink through the {@code @TypeInfo} annotation of {@link RequestBundle}. */
    public static final class Factory extends TypeInfoFactory<RequestBundle> {
        @Override
        public TypeInformation<RequestBundle> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new RequestBundleTypeInfo();
        }
    }

    @Override
    public Class<RequestBundle> getTypeClass() {
        return RequestBundle.class;
    }

    @Override
    public TypeSerializer<RequestBundle> createSerializer(SerializerConfig config) {
        return new RequestBundleSerializer(requests.createSerializer(config));
    }
}
