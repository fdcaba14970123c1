package io.scorestream.operators.ingest;

import io.scorestream.schemas.InferenceEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link DecodedEvent} field by field: the event as {@link InferenceEventSerializer}
 * writes it, then its record's key and value bytes, topic, partition, offset, timestamp and replay
 * stage. Raw byte copies, no generic serialization: the record adds its own size to the shuffle and
 * nothing else.
 */
public final class DecodedEventSerializer extends TypeSerializerSingleton<DecodedEvent> {
    private static final long serialVersionUID = 1L;

    public static final DecodedEventSerializer INSTANCE = new DecodedEventSerializer();

    private static final int ABSENT = -1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public DecodedEvent createInstance() {
        return new DecodedEvent(InferenceEventSerializer.INSTANCE.createInstance(), null);
    }

    @Override
    public DecodedEvent copy(DecodedEvent from) {
        return new DecodedEvent(
                InferenceEventSerializer.INSTANCE.copy(from.event()), copy(from.origin()));
    }

    @Override
    public DecodedEvent copy(DecodedEvent from, DecodedEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DecodedEvent decoded, DataOutputView out) throws IOException {
        InferenceEventSerializer.INSTANCE.serialize(decoded.event(), out);
        RawRecord origin = decoded.origin();
        out.writeBoolean(origin != null);
        if (origin == null) {
            return;
        }
        writeBytes(origin.key, out);
        writeBytes(origin.value, out);
        StringValue.writeString(origin.topic, out);
        out.writeInt(origin.partition);
        out.writeLong(origin.offset);
        out.writeLong(origin.timestamp);
        StringValue.writeString(origin.replayedStage, out);
    }

    @Override
    public DecodedEvent deserialize(DataInputView in) throws IOException {
        InferenceEvent event = InferenceEventSerializer.INSTANCE.deserialize(in);
        if (!in.readBoolean()) {
            return new DecodedEvent(event, null);
        }
        RawRecord origin = new RawRecord();
        origin.key = readBytes(in);
        origin.value = readBytes(in);
        origin.topic = StringValue.readString(in);
        origin.partition = in.readInt();
        origin.offset = in.readLong();
        origin.timestamp = in.readLong();
        origin.replayedStage = StringValue.readString(in);
        return new DecodedEvent(event, origin);
    }

    @Override
    public DecodedEvent deserialize(DecodedEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<DecodedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    private static RawRecord copy(RawRecord from) {
        if (from == null) {
            return null;
        }
        RawRecord copy =
                new RawRecord(
                        from.key == null ? null : from.key.clone(),
                        from.value == null ? null : from.value.clone(),
                        from.topic,
                        from.partition,
                        from.offset,
                        from.timestamp);
        copy.replayedStage = from.replayedStage;
        return copy;
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        if (bytes == null) {
            out.writeInt(ABSENT);
            return;
        }
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length == ABSENT) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** Restores the serializer; its format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DecodedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
