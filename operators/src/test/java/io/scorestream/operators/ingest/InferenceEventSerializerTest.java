package io.scorestream.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.schemas.InferenceEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Test;

/** Flink's serializer contract (copies, snapshots, spanning buffers) plus the event's own cases. */
class InferenceEventSerializerTest extends SerializerTestBase<InferenceEvent> {

    @Override
    protected TypeSerializer<InferenceEvent> createSerializer() {
        return InferenceEventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<InferenceEvent> getTypeClass() {
        return InferenceEvent.class;
    }

    @Override
    protected InferenceEvent[] getTestData() {
        return new InferenceEvent[] {
            new InferenceEvent(
                    "e-1",
                    "s-1",
                    "u-1",
                    "click",
                    Instant.ofEpochMilli(1_790_000_000_123L),
                    List.of(0.5f, -1f, Float.MAX_VALUE),
                    Map.of("page", "/checkout", "ab", "ü-variant")),
            new InferenceEvent("e-2", null, null, "view", Instant.EPOCH, List.of(), null),
            new InferenceEvent(
                    "",
                    "s-ünïcode-€",
                    "u",
                    "checkout",
                    Instant.ofEpochMilli(-5),
                    List.of(Float.NaN, 0f),
                    Map.of()),
        };
    }

    @Test
    void copiesDoNotShareTheFeatureListOrAttributes() {
        InferenceEvent original = getTestData()[0];
        original.setFeatures(new java.util.ArrayList<>(original.getFeatures()));
        InferenceEvent copy = InferenceEventSerializer.INSTANCE.copy(original);
        original.getFeatures().set(0, 9f);
        assertThat(copy.getFeatures().get(0)).isEqualTo(0.5f);
        assertThat(copy.getAttributes()).isNotSameAs(original.getAttributes());
    }
}
