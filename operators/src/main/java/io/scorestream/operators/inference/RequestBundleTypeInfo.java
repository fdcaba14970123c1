package io.scorestream.operators.inference;

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
public final class RequestBundleTypeInfo extends TypeInformation<RequestBundle> {
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
    public Class<RequestBundle> getTypeClass() {
        return RequestBundle.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RequestBundle> createSerializer(SerializerConfig config) {
        return new RequestBundleSerializer(requests.createSerializer(config));
    }

    @Override
    public String toString() {
        return "RequestBundle<" + requests + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RequestBundleTypeInfo;
    }

    @Override
    public int hashCode() {
        return RequestBundleTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof RequestBundleTypeInfo;
    }
}
