package io.scorestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.formats.avro.AvroDeserializationSchema;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.junit.jupiter.api.Test;

class AvroRoundTripTest {

    static InferenceEvent event() {
        return InferenceEvent.newBuilder()
                .setEventId("s-1-0-3")
                .setSessionId("s-1-0")
                .setUserId("u-42")
                .setEventType("checkout")
                .setEventTime(Instant.ofEpochMilli(1_767_225_600_123L))
                .setFeatures(List.of(0.5f, 1.25f, 0.0f, 0.33f, 2.0f, 1.0f))
                .setAttributes(Map.of("channel", "web"))
                .build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder()
                .setEventId("s-1-0-3")
                .setSessionId("s-1-0")
                .setUserId(null)
                .setEventType("checkout")
                .setModelName("fraud-mlp")
                .setModelVersion("1")
                .setScore(0.75f)
                .setScores(List.of(0.75f))
                .setEventTime(Instant.ofEpochMilli(1_000L))
                .setScoredTime(Instant.ofEpochMilli(1_020L))
                .setSessionEventCount(4)
                .setLatency(
                        StageLatency.newBuilder()
                                .setFeaturizeMicros(12)
                                .setQueueWaitMicros(300)
                                .setComputeMicros(800)
                                .setInferenceMicros(1_200)
                                .setBatchSize(32)
                                .setEndToEndMillis(20)
                                .build())
                .setFallback(true)
                .setFallbackReason("TIMEOUT")
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {3, 4, 5}))
                .setSourceTopic("events")
                .setSourcePartition(2)
                .setSourceOffset(77L)
                .setSourceTimestamp(Instant.ofEpochMilli(5_000L))
                .setStage("decode")
                .setReason("UNDECODABLE")
                .setErrorClass(AvroDecodeException.class.getName())
                .setMessage("not a valid InferenceEvent")
                .setDeadLetterTime(Instant.ofEpochMilli(6_000L))
                .build();
    }

    static ModelRollout rollout() {
        return ModelRollout.newBuilder()
                .setRolloutId("5f0c6a52-8d0e-4a57-9c1e-0d6f1f8f2a11")
                .setModel("fraud-mlp")
                .setStableVersion("1")
                .setCandidateVersion("2")
                .setCandidatePercent(10)
                .setIssuedAt(Instant.ofEpochMilli(1_767_225_600_000L))
                .setIssuedBy("cli")
                .setReason("canary of the retrained model")
                .setSupersedes("0b7e1c1e-3f7a-4c55-a8a4-6e0c7c0f9d21")
                .build();
    }

    @Test
    void codecRoundTripsEveryRecordType() {
        assertThat(roundTrip(InferenceEvent.class, event())).isEqualTo(event());
        assertThat(roundTrip(Prediction.class, prediction())).isEqualTo(prediction());
        assertThat(roundTrip(DeadLetter.class, deadLetter())).isEqualTo(deadLetter());
        assertThat(roundTrip(ModelRollout.class, rollout())).isEqualTo(rollout());
    }

    @Test
    void aRolloutWithoutCandidateOrReasonRoundTrips() {
        ModelRollout stableOnly =
                ModelRollout.newBuilder(rollout())
                        .setCandidateVersion(null)
                        .setCandidatePercent(0)
                        .setReason(null)
                        .setSupersedes(null)
                        .build();
        assertThat(roundTrip(ModelRollout.class, stableOnly)).isEqualTo(stableOnly);
        assertThat(
                        ModelRollout.newBuilder()
                                .setRolloutId("r")
                                .setModel("m")
                                .setStableVersion("1")
                                .setCandidatePercent(0)
                                .setIssuedAt(Instant.EPOCH)
                                .setIssuedBy("cli")
                                .build()
                                .getCandidateVersion())
                .as("the candidate defaults to none")
                .isNull();
    }

    @Test
    void optionalFieldsDefaultToNull() {
        InferenceEvent minimal =
                InferenceEvent.newBuilder()
                        .setEventId("e")
                        .setEventType("view")
                        .setEventTime(Instant.EPOCH)
                        .setFeatures(List.of())
                        .build();
        assertThat(minimal.getSessionId()).isNull();
        assertThat(minimal.getUserId()).isNull();
        assertThat(minimal.getAttributes()).isNull();
        assertThat(roundTrip(InferenceEvent.class, minimal)).isEqualTo(minimal);
    }

    @Test
    void flinkSerializationSchemasAgreeWithTheCodec() throws Exception {
        AvroSerializationSchema<InferenceEvent> serializer =
                AvroSerializationSchema.forSpecific(InferenceEvent.class);
        AvroDeserializationSchema<InferenceEvent> deserializer =
                AvroDeserializationSchema.forSpecific(InferenceEvent.class);
        serializer.open(null);
        deserializer.open(null);

        byte[] fromFlink = serializer.serialize(event());

        assertThat(fromFlink).isEqualTo(AvroCodec.of(InferenceEvent.class).encode(event()));
        assertThat(deserializer.deserialize(fromFlink)).isEqualTo(event());
    }

    @Test
    void rejectsEmptyGarbageTruncatedAndForeignBytes() {
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        byte[] valid = codec.encode(event());

        assertThatThrownBy(() -> codec.decode(new byte[0]))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("empty value");
        assertThatThrownBy(() -> codec.decode("{\"not\": \"avro\"}".getBytes()))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("not a valid InferenceEvent");
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(valid, valid.length / 2)))
                .isInstanceOf(AvroDecodeException.class);

        byte[] withTrailingBytes = Arrays.copyOf(valid, valid.length + 3);
        assertThatThrownBy(() -> codec.decode(withTrailingBytes))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("trailing bytes");

        // The codec stays usable after a failure.
        assertThat(codec.decode(valid)).isEqualTo(event());
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T roundTrip(
            Class<T> type, T record) {
        AvroCodec<T> codec = AvroCodec.of(type);
        return codec.decode(codec.encode(record));
    }
}
