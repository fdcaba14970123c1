package io.scorestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The hand-written encoder writes exactly what Avro's own writer writes, and reads back. */
class PredictionEncoderTest {

    private final PredictionEncoder encoder = new PredictionEncoder();
    private final AvroCodec<Prediction> avro = AvroCodec.of(Prediction.class);

    @Test
    void writesEveryFieldOfTheSchemaInItsOrder() {
        // The encoder writes these fields, in this order; a field added to Prediction.avsc must be
        // added to it (and here).
        assertThat(Prediction.getClassSchema().getFields())
                .extracting(Schema.Field::name)
                .containsExactly(
                        "eventId",
                        "sessionId",
                        "userId",
                        "eventType",
                        "modelName",
                        "modelVersion",
                        "score",
                        "scores",
                        "eventTime",
                        "scoredTime",
                        "sessionEventCount",
                        "latency",
                        "cached",
                        "fallback",
                        "fallbackReason",
                        "overBudget",
                        "rolloutId",
                        "path");
        assertThat(StageLatency.getClassSchema().getFields())
                .extracting(Schema.Field::name)
                .containsExactly(
                        "featurizeMicros",
                        "queueWaitMicros",
                        "computeMicros",
                        "inferenceMicros",
                        "batchSize",
                        "endToEndMillis");
        assertThat(ModelStep.getClassSchema().getFields())
                .extracting(Schema.Field::name)
                .containsExactly("model", "version", "outcome");
    }

    @Test
    void aTypicalPredictionIsByteForByteAvros() {
        Prediction prediction =
                prediction(
                        "e-1",
                        "session-1",
                        null,
                        List.of(0.25f),
                        null,
                        null,
                        List.of(new ModelStep("fraud-mlp", "2", "SCORED")),
                        new StageLatency(12L, 80L, 30L, 140L, 64, 1_250L));

        assertThat(encoder.encode(prediction)).isEqualTo(avro.encode(prediction));
        assertThat(avro.decode(encoder.encode(prediction))).isEqualTo(prediction);
    }

    @Test
    void emptyArraysNullsNonAsciiAndExtremeNumbersAreByteForByteAvros() {
        Prediction prediction =
                prediction(
                        "événement-ü-😀",
                        "",
                        "utilisateur-é",
                        List.of(),
                        "INFERENCE_TIMEOUT",
                        "rollout-✓",
                        List.of(),
                        new StageLatency(
                                Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L, Integer.MIN_VALUE, 63L));
        prediction.setScore(Float.NaN);
        prediction.setSessionEventCount(Integer.MAX_VALUE);
        prediction.setEventTime(Instant.ofEpochMilli(-1));

        assertThat(encoder.encode(prediction)).isEqualTo(avro.encode(prediction));
    }

    @RepeatedTest(20)
    void randomPredictionsAreByteForByteAvros(org.junit.jupiter.api.RepetitionInfo repetition) {
        Random random = new Random(repetition.getCurrentRepetition());
        for (int i = 0; i < 50; i++) {
            Prediction prediction = random(random);
            assertThat(encoder.encode(prediction))
                    .as("prediction %s", prediction)
                    .isEqualTo(avro.encode(prediction));
        }
    }

    private static Prediction random(Random random) {
        List<Float> scores = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            scores.add(random.nextFloat() * (random.nextBoolean() ? 1 : -1e6f));
        }
        List<ModelStep> path = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            path.add(new ModelStep(text(random), text(random), text(random)));
        }
        Prediction prediction =
                prediction(
                        text(random),
                        text(random),
                        random.nextBoolean() ? null : text(random),
                        scores,
                        random.nextBoolean() ? null : text(random),
                        random.nextBoolean() ? null : text(random),
                        path,
                        new StageLatency(
                                random.nextLong(),
                                (long) random.nextInt(1_000_000),
                                random.nextLong() >> random.nextInt(64),
                                (long) -random.nextInt(100),
                                random.nextInt(),
                                random.nextLong()));
        prediction.setScore(random.nextFloat());
        prediction.setCached(random.nextBoolean());
        prediction.setFallback(random.nextBoolean());
        prediction.setOverBudget(random.nextBoolean());
        prediction.setSessionEventCount(random.nextInt(Integer.MAX_VALUE));
        prediction.setEventTime(Instant.ofEpochMilli(random.nextLong() >> 20));
        prediction.setScoredTime(Instant.ofEpochMilli(random.nextLong() >> 20));
        return prediction;
    }

    /** Up to 40 characters, some outside ASCII (two-, three- and four-byte UTF-8). */
    private static String text(Random random) {
        String[] pieces = {"a", "Z", "-", "7", "é", "€", "😀", "session", ":"};
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.toString();
    }

    private static Prediction prediction(
            String eventId,
            String sessionId,
            String userId,
            List<Float> scores,
            String fallbackReason,
            String rolloutId,
            List<ModelStep> path,
            StageLatency latency) {
        return new Prediction(
                eventId,
                sessionId,
                userId,
                "checkout",
                "fraud-mlp",
                "2",
                scores.isEmpty() ? 0f : scores.get(0),
                scores,
                Instant.ofEpochMilli(1_700_000_000_123L),
                Instant.ofEpochMilli(1_700_000_001_456L),
                3,
                latency,
                false,
                fallbackReason != null,
                fallbackReason,
                false,
                rolloutId,
                path);
    }
}
