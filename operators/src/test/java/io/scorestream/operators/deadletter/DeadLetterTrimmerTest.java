package io.scorestream.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.deadletter.DeadLetterTrimmer.Trimmed;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadLetterTrimmerTest {

    private static final int MAX = 1000 * 1024;

    @Test
    void aDeadLetterThatFitsIsKeptWholeAndSaysHowLargeItsValueWas() throws Exception {
        byte[] value = random(300);
        Trimmed trimmed = new DeadLetterTrimmer(MAX).trim(letter(key(4), value, "bad"));

        assertThat(trimmed.truncated()).isFalse();
        assertThat(trimmed.key()).isEqualTo(key(4));
        DeadLetter written = AvroCodec.of(DeadLetter.class).decode(trimmed.value());
        assertThat(written).isEqualTo(trimmed.letter());
        assertThat(bytes(written.getOriginalValue())).isEqualTo(value);
        assertThat(written.getOriginalValueSize()).isEqualTo(300);
        assertThat(written.getKeptValueBytes()).isEqualTo(300);
        assertThat(written.getOriginalKeySize()).isEqualTo(4);
        assertThat(written.getOriginalValueSha256()).isEqualTo(sha256(value));
        assertThat(written.getMessage()).isEqualTo("bad");
    }

    @Test
    void aValueNearTheTopicLimitIsCutToFitAndStillIdentifiesTheRecord() throws Exception {
        byte[] value = random(1_048_490);
        Trimmed trimmed = new DeadLetterTrimmer(MAX).trim(letter(key(8), value, "too large"));

        assertThat(trimmed.key().length + trimmed.value().length).isLessThanOrEqualTo(MAX);
        DeadLetter written = AvroCodec.of(DeadLetter.class).decode(trimmed.value());
        assertThat(written.getTruncated()).isTrue();
        assertThat(written.getOriginalValueSize()).isEqualTo(1_048_490);
        assertThat(written.getOriginalValueSha256()).isEqualTo(sha256(value));
        byte[] kept = bytes(written.getOriginalValue());
        assertThat(written.getKeptValueBytes()).isEqualTo(kept.length);
        assertThat(kept).isEqualTo(Arrays.copyOf(value, kept.length));
        // Everything but the value is small: the value keeps nearly all of the room.
        assertThat(kept.length).isGreaterThan(MAX - 1024);
        assertThat(trimmed.key()).isEqualTo(key(8));
        assertThat(written.getMessage()).isEqualTo("too large");
    }

    @Test
    void aHugeKeyMessageAndEventIdAreCutToo() {
        int max = DeadLetterTrimmer.MIN_MAX_BYTES;
        DeadLetter letter = letter(random(50_000), null, "é".repeat(40_000));
        letter.setEventId("e".repeat(70_000));
        Trimmed trimmed = new DeadLetterTrimmer(max).trim(letter);

        assertThat(trimmed.key().length + trimmed.value().length).isLessThanOrEqualTo(max);
        DeadLetter written = AvroCodec.of(DeadLetter.class).decode(trimmed.value());
        assertThat(written.getTruncated()).isTrue();
        assertThat(written.getOriginalKeySize()).isEqualTo(50_000);
        assertThat(written.getOriginalKey()).isEqualTo(ByteBuffer.wrap(trimmed.key()));
        assertThat(trimmed.key()).hasSize(max / 16);
        assertThat(written.getOriginalValue()).isNull();
        assertThat(written.getOriginalValueSize()).isNull();
        assertThat(written.getMessage()).matches("é+").hasSizeLessThanOrEqualTo(max / 32);
        assertThat(written.getEventId()).hasSize(max / 64);
    }

    @Test
    void utf8PrefixesNeverSplitACharacter() {
        assertThat(DeadLetterTrimmer.prefixUtf8("aé€", 4)).isEqualTo("aé");
        assertThat(DeadLetterTrimmer.prefixUtf8("aé€", 5)).isEqualTo("aé");
        assertThat(DeadLetterTrimmer.prefixUtf8("aé€", 6)).isEqualTo("aé€");
        assertThat(DeadLetterTrimmer.prefixUtf8("€", 2)).isEmpty();
    }

    @Test
    void aLimitTooSmallForTheFixedFieldsIsRefused() {
        assertThatThrownBy(() -> new DeadLetterTrimmer(DeadLetterTrimmer.MIN_MAX_BYTES - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16384");
    }

    private static DeadLetter letter(byte[] key, byte[] value, String message) {
        return DeadLetter.newBuilder()
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setSourceTopic("events")
                .setSourcePartition(1)
                .setSourceOffset(42L)
                .setStage("decode")
                .setReason("OVERSIZED_RECORD")
                .setMessage(message)
                .setDeadLetterTime(Instant.ofEpochMilli(1_000))
                .build();
    }

    private static byte[] key(int length) {
        byte[] key = new byte[length];
        Arrays.fill(key, (byte) 'k');
        return key;
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String sha256(byte[] value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    }
}
