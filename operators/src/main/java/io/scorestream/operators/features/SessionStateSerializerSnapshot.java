package io.scorestream.operators.features;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a checkpoint records of {@link SessionStateSerializer}: its format's version. State written
 * in the same format restores as is; state of jobs from before the hand-written serializer (Flink's
 * POJO serializer) is read with that serializer and rewritten in this format when the job restores
 * (Flink's state migration), so their savepoints keep working.
 */
public final class SessionStateSerializerSnapshot implements TypeSerializerSnapshot<SessionState> {

    /** The serializer's format (see {@link SessionStateSerializer}). */
    private static final int FORMAT = 1;

    private int readFormat = FORMAT;

    @Override
    public int getCurrentVersion() {
        return FORMAT;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
        // the version is the whole configuration
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws IOException {
        if (readVersion < 1 || readVersion > FORMAT) {
            throw new IOException(
                    "session state in format "
                            + readVersion
                            + ", this version of ScoreStream reads up to "
                            + FORMAT);
        }
        readFormat = readVersion;
    }

    @Override
    public TypeSerializer<SessionState> restoreSerializer() {
        // Format 1 is the only one so far; a later format keeps a reader of the earlier ones here.
        return SessionStateSerializer.INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<SessionState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<SessionState> oldSerializerSnapshot) {
        if (oldSerializerSnapshot instanceof SessionStateSerializerSnapshot old) {
            return old.readFormat == FORMAT
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        if (oldSerializerSnapshot instanceof PojoSerializerSnapshot<SessionState>) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
