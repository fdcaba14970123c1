package io.scorestream.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticRecordGeneratorTest {

    private final AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);

    @Test
    void restampingChangesTheEventTimeAndNothingElse() {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId("e-1")
                        .setSessionId("s-1")
                        .setUserId(null)
                        .setEventType("click")
                        .setEventTime(Instant.EPOCH)
                        .setFeatures(List.of(1f, 2f, 3f))
                        .build();
        EncodedEvent encoded = new EncodedEvent(codec, event, 1_790_000_000_000L);

        for (long time : new long[] {1_790_000_000_001L, 1_800_123_456_789L, 5L}) {
            InferenceEvent decoded = codec.decode(encoded.stampedCopy(time));
            assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(time));
            decoded.setEventTime(event.getEventTime());
            assertThat(decoded).isEqualTo(event);
        }
    }

    @Test
    void recordsDecodeToFreshlyStampedEventsOfManySessionsKeyedBySession() {
        SyntheticRecordGenerator generator = SyntheticRecordGenerator.standalone(3);
        Set<String> sessions = new HashSet<>();
        long before = System.currentTimeMillis();
        for (long i = 0; i < 50_000; i++) {
            RawRecord record = generator.map(i);
            InferenceEvent event = codec.decode(record.value);
            assertThat(new String(record.key, StandardCharsets.UTF_8))
                    .isEqualTo(event.getSessionId());
            assertThat(event.getEventTime().toEpochMilli())
                    .isBetween(before, System.currentTimeMillis());
            sessions.add(event.getSessionId());
        }
        assertThat(sessions).hasSizeGreaterThan(1_000);
    }
}
