package io.scorestream.operators.deadletter;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Makes a dead letter fit its topic: its Kafka record (the original key as record key, the Avro
 * dead letter as value) never exceeds {@code maxBytes}. A dead letter that would is cut, value
 * first: the key keeps at most a sixteenth of {@code maxBytes}, the message another sixteenth, the
 * event id a sixty-fourth, and the value what is left; it is flagged {@code truncated}. Every dead
 * letter with a value says how large the value was and its SHA-256, so a truncated one can still be
 * matched with the record it came from.
 *
 * <p>Why: a record near the events topic's limit, wrapped in a dead letter, no longer fits the
 * dead-letter topic (or the producer's {@code max.request.size}); the write failed, and the job
 * restarted into the same record forever.
 *
 * <p>One instance per thread (it reuses an encoder and a digest).
 */
public final class DeadLetterTrimmer {

    /** The smallest {@code maxBytes}: room for every field but the value, whatever their size. */
    public static final int MIN_MAX_BYTES = 16 * 1024;

    /** How much the two varints that grow with the kept value (its length, keptValueBytes) add. */
    private static final int VARINT_GROWTH = 10;

    private final int maxBytes;
    private final AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
    private final MessageDigest sha256;

    /** A dead letter as written: its record key and value, and the letter they encode. */
    public record Trimmed(DeadLetter letter, byte[] key, byte[] value) {
        public boolean truncated() {
            return letter.getTruncated();
        }
    }

    public DeadLetterTrimmer(int maxBytes) {
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException(
                    "maxBytes must be at least " + MIN_MAX_BYTES + ", got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** {@code letter} stamped with its original sizes, cut to fit when it must be. */
    public Trimmed trim(DeadLetter letter) {
        DeadLetter out = shallowCopy(letter);
        byte[] key = bytes(letter.getOriginalKey());
        byte[] value = bytes(letter.getOriginalValue());
        out.setOriginalKeySize(key == null ? null : key.length);
        if (value != null) {
            out.setOriginalValueSize(value.length);
            out.setOriginalValueSha256(HexFormat.of().formatHex(sha256.digest(value)));
            out.setKeptValueBytes(value.length);
        }
        byte[] encoded = codec.encode(out);
        if (length(key) + encoded.length <= maxBytes) {
            return new Trimmed(out, key, encoded);
        }

        out.setTruncated(true);
        byte[] keptKey = key == null ? null : prefix(key, maxBytes / 16);
        out.setOriginalKey(keptKey == null ? null : ByteBuffer.wrap(keptKey));
        out.setMessage(prefixUtf8(out.getMessage(), maxBytes / 16));
        if (out.getEventId() != null) {
            out.setEventId(prefixUtf8(out.getEventId(), maxBytes / 64));
        }
        int kept = 0;
        if (value != null) {
            out.setOriginalValue(ByteBuffer.wrap(new byte[0]));
            out.setKeptValueBytes(0);
            int fixed = length(keptKey) + codec.encode(out).length + VARINT_GROWTH;
            kept = Math.max(0, Math.min(value.length, maxBytes - fixed));
            out.setOriginalValue(ByteBuffer.wrap(value, 0, kept).slice());
            out.setKeptValueBytes(kept);
        }
        encoded = codec.encode(out);
        if (length(keptKey) + encoded.length > maxBytes) {
            throw new IllegalStateException(
                    "a dead letter cut to "
                            + kept
                            + " value bytes still has "
                            + (length(keptKey) + encoded.length)
                            + " bytes, more than "
                            + maxBytes);
        }
        return new Trimmed(out, keptKey, encoded);
    }

    private static DeadLetter shallowCopy(DeadLetter letter) {
        DeadLetter copy = new DeadLetter();
        for (int i = 0; i < DeadLetter.getClassSchema().getFields().size(); i++) {
            copy.put(i, letter.get(i));
        }
        return copy;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] prefix(byte[] bytes, int max) {
        return bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
    }

    /** The longest start of {@code text} whose UTF-8 takes at most {@code max} bytes. */
    static String prefixUtf8(String text, int max) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= max) {
            return text;
        }
        int end = max;
        // Do not split a character: back up over continuation bytes (10xxxxxx).
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
