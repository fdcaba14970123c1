package io.scorestream.operators.typeinfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Type information for a type Flink treats as one opaque value, written by a serializer of this
 * project's own: no fields Flink can address, not a key. Subclasses name the class and give the
 * serializer; two instances of one subclass are equal.
 */
public abstract class OpaqueTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isBasicType() {
        return false;
    }

    @Override
    public final boolean isTupleType() {
        return false;
    }

    @Override
    public final int getArity() {
        return 1;
    }

    @Override
    public final int getTotalFields() {
        return 1;
    }

    @Override
    public final boolean isKeyType() {
        return false;
    }

    @Override
    public String toString() {
        return getTypeClass().getSimpleName();
    }

    @Override
    public final boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public final boolean canEqual(Object other) {
        return other != null && other.getClass() == getClass();
    }
}
