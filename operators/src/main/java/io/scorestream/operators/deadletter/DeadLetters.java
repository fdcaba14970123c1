package io.scorestream.operators.deadletter;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/** Builds dead letters and names the side output that carries them. */
public final class DeadLetters {

    /** Side output shared by every operator that rejects records. */
    public static final OutputTag<DeadLetter> OUTPUT = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    /** A record rejected before or while decoding: its bytes, origin and the error. */
    public static DeadLetter fromRaw(
            RawRecord raw,
            DeadLetterReason reason,
            String eventId,
            String message,
            Throwable error,
            long nowMillis) {
        return fromRaw(
                raw,
                reason,
                eventId,
                message,
                error == null ? null : error.getClass().getName(),
                nowMillis);
    }

    /**
     * A record rejected at any stage, with the record it was read as ({@code raw}; null when
     * unknown, e.g. in tests) and the class of the error, if any.
     */
    public static DeadLetter fromRaw(
            RawRecord raw,
            DeadLetterReason reason,
            String eventId,
            String message,
            String errorClass,
            long nowMillis) {
        if (raw == null) {
            raw = new RawRecord();
        }
        return DeadLetter.newBuilder()
                .setOriginalKey(wrap(raw.key))
                .setOriginalValue(wrap(raw.value))
                .setSourceTopic(raw.topic)
                .setSourcePartition(raw.topic == null ? null : raw.partition)
                .setSourceOffset(raw.topic == null ? null : raw.offset)
                .setSourceTimestamp(raw.timestamp > 0 ? Instant.ofEpochMilli(raw.timestamp) : null)
                .setEventId(eventId)
                .setStage(reason.stage().label())
                .setReason(reason.name())
                .setErrorClass(errorClass)
                .setMessage(message)
                .setDeadLetterTime(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}
