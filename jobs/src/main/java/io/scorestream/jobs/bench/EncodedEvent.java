package io.scorestream.jobs.bench;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.Arrays;

/**
 * An event encoded once, whose event time can be restamped on each copy without encoding it again:
 * Avro writes the time as a zig-zag varint, which has the same length for every millisecond from
 * 2004 to 2039, so a new time overwrites the old one in place.
 */
final class EncodedEvent {

    private final AvroCodec<InferenceEvent> codec;
    private final byte[] bytes;

    /** Where the event time's varint starts in {@link #bytes}, and how long it is. */
    private final int timeOffset;

    private final int timeLength;

    EncodedEvent(AvroCodec<InferenceEvent> codec, InferenceEvent event, long timeMillis) {
        this.codec = codec;
        event.setEventTime(Instant.ofEpochMilli(timeMillis));
        this.bytes = codec.encode(event);
        // The only bytes that differ when the time changes by one are the varint's first ones.
        event.setEventTime(Instant.ofEpochMilli(timeMillis + 1));
        byte[] other = codec.encode(event);
        event.setEventTime(Instant.ofEpochMilli(timeMillis));
        this.timeOffset = Arrays.mismatch(bytes, other);
        this.timeLength = varintLength(zigZag(timeMillis));
    }

    /** A copy of the encoded event with its time set to {@code timeMillis}. */
    byte[] stampedCopy(long timeMillis) {
        long encoded = zigZag(timeMillis);
        if (varintLength(encoded) != timeLength) {
            InferenceEvent event = codec.decode(bytes); // a time outside 2004-2039: never in a run
            event.setEventTime(Instant.ofEpochMilli(timeMillis));
            return codec.encode(event);
        }
        byte[] copy = bytes.clone();
        int at = timeOffset;
        while ((encoded & ~0x7FL) != 0) {
            copy[at++] = (byte) ((encoded & 0x7F) | 0x80);
            encoded >>>= 7;
        }
        copy[at] = (byte) encoded;
        return copy;
    }

    private static long zigZag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private static int varintLength(long encoded) {
        int length = 1;
        while ((encoded & ~0x7FL) != 0) {
            encoded >>>= 7;
            length++;
        }
        return length;
    }
}
