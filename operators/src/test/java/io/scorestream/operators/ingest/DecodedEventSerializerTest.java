package io.scorestream.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Test;

/** Flink's serializer contract for decoded events, with and without their record. */
class DecodedEventSerializerTest extends SerializerTestBase<DecodedEvent> {

    @Override
    protected TypeSerializer<DecodedEvent> createSerializer() {
        return DecodedEventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<DecodedEvent> getTypeClass() {
        return DecodedEvent.class;
    }

    @Override
    protected DecodedEvent[] getTestData() {
        InferenceEvent event =
                new InferenceEvent(
                        "e-1",
                        "s-1",
                        "u-1",
                        "click",
                        Instant.ofEpochMilli(1_790_000_000_123L),
                        List.of(0.5f, -1f),
                        Map.of("page", "/checkout"));
        RawRecord replayed =
                new RawRecord(
                        "s-1".getBytes(), new byte[] {0, 0, 0, 0, 3, 6}, "events", 2, 77, 1_000);
        replayed.replayedStage = "inference";
        return new DecodedEvent[] {
            new DecodedEvent(
                    event,
                    new RawRecord("s-1".getBytes(), new byte[] {1, 2, 3}, "events", 1, 42, 999)),
            new DecodedEvent(event, new RawRecord(null, new byte[0], "in", 0, 0, -1)),
            new DecodedEvent(event, replayed),
            new DecodedEvent(
                    new InferenceEvent("e-2", null, null, "view", Instant.EPOCH, List.of(), null),
                    null),
        };
    }

    @Test
    void theTypeInfoGivesThisSerializer() {
        assertThat(DecodedEventTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(DecodedEventSerializer.INSTANCE);
        assertThat(DecodedEventTypeInfo.INSTANCE.getTypeClass()).isEqualTo(DecodedEvent.class);
    }

    @Test
    void copiesDoNotShareTheRecordsBytes() {
        DecodedEvent original = getTestData()[0];
        DecodedEvent copy = DecodedEventSerializer.INSTANCE.copy(original);
        original.origin().value[0] = 9;
        assertThat(copy.origin().value[0]).isEqualTo((byte) 1);
        assertThat(copy.origin()).isNotSameAs(original.origin());
    }

    @Test
    void onlyAReplayFromAStageAfterTheFeaturizerIsAlreadyInItsSession() {
        assertThat(getTestData()[2].isReplayOfFoldedEvent()).isTrue();
        assertThat(getTestData()[0].isReplayOfFoldedEvent()).isFalse();
        assertThat(getTestData()[3].isReplayOfFoldedEvent()).isFalse();
        RawRecord decodeStage = new RawRecord(null, new byte[1], "events", 0, 0, 0);
        decodeStage.replayedStage = "decode";
        assertThat(new DecodedEvent(getTestData()[0].event(), decodeStage).isReplayOfFoldedEvent())
                .isFalse();
        decodeStage.replayedStage = "budget";
        assertThat(new DecodedEvent(getTestData()[0].event(), decodeStage).isReplayOfFoldedEvent())
                .isTrue();
    }
}
