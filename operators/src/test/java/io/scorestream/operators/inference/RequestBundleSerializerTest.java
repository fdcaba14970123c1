package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.ingest.RawRecord;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

/** Flink's serializer contract (round trips, snapshots, spanning buffers) for bundles. */
class RequestBundleSerializerTest extends SerializerTestBase<RequestBundle> {

    /** Bundles and requests have no equals: they are compared field by field. */
    RequestBundleSerializerTest() {
        super(
                new DeeplyEqualsChecker()
                        .withCustomCheck(
                                (should, is) -> should instanceof RequestBundle,
                                (should, is, checker) -> sameFields(should, is)));
    }

    private static boolean sameFields(Object should, Object is) {
        try {
            assertThat(is).usingRecursiveComparison().isEqualTo(should);
            return true;
        } catch (AssertionError different) {
            return false;
        }
    }

    @Override
    protected TypeSerializer<RequestBundle> createSerializer() {
        return TypeInformation.of(RequestBundle.class).createSerializer(new SerializerConfigImpl());
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<RequestBundle> getTypeClass() {
        return RequestBundle.class;
    }

    @Override
    protected RequestBundle[] getTestData() {
        return new RequestBundle[] {
            new RequestBundle(
                    new InferenceRequest[] {
                        request("e-1", new ModelInput("intent-gru", "1", new float[] {1f, 2f})),
                        request("e-2", new ModelInput("fraud-mlp", "2", new float[0]))
                    }),
            new RequestBundle(new InferenceRequest[0]),
        };
    }

    @Test
    void flinkFindsTheBundleSerializerThroughTheAnnotation() {
        assertThat(createSerializer()).isInstanceOf(RequestBundleSerializer.class);
    }

    @Test
    void aCopyIsTheBundleItself() {
        RequestBundle bundle = getTestData()[0];
        assertThat(createSerializer().copy(bundle)).isSameAs(bundle);
    }

    private static InferenceRequest request(String eventId, ModelInput primary) {
        InferenceRequest request = new InferenceRequest();
        request.eventId = eventId;
        request.sessionId = "s-" + eventId;
        request.eventType = "click";
        request.eventTimeMillis = 1_790_000_000_000L;
        request.origin =
                new RawRecord(
                        request.sessionId.getBytes(),
                        new byte[] {0, 0, 0, 0, 7, 2, 4},
                        "events",
                        3,
                        99,
                        1_790_000_000_001L);
        request.origin.replayedStage = eventId.equals("e-2") ? "inference" : null;
        request.primary = primary;
        return request;
    }
}
