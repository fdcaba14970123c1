package io.scorestream.operators.assemble;

import io.scorestream.operators.deadletter.DeadLetterCounters;
import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.PathStep;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.ModelStep;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.StageLatency;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns inference results into Avro predictions, and failed ones (model failures, timeouts, users
 * over budget) into dead letters on {@link DeadLetters#OUTPUT} that carry the original record as it
 * was read (key, bytes, topic, partition, offset), so {@code replay-dlq} can publish it again as it
 * came.
 */
public class PredictionAssembler extends ProcessFunction<InferenceResult, Prediction> {
    private static final long serialVersionUID = 1L;

    private transient DeadLetterCounters deadLetterCounters;
    private transient Counter predictions;
    private transient Counter fallbacks;

    /** By model name, then version: no key to build per prediction. */
    private transient Map<String, Map<String, Histogram>> endToEndMillis;

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        deadLetterCounters =
                new DeadLetterCounters(
                        metrics,
                        EnumSet.of(
                                DeadLetterReason.INFERENCE_FAILED,
                                DeadLetterReason.CIRCUIT_OPEN,
                                DeadLetterReason.MODEL_UNAVAILABLE,
                                DeadLetterReason.INFERENCE_TIMEOUT,
                                DeadLetterReason.OVER_BUDGET));
        predictions = metrics.counter("predictions");
        fallbacks = metrics.counter("fallbacks");
        endToEndMillis = new HashMap<>();
    }

    @Override
    public void processElement(InferenceResult result, Context ctx, Collector<Prediction> out) {
        long now = ctx.timerService().currentProcessingTime();
        if (result.outcome == InferenceResult.Outcome.FAILED) {
            DeadLetterReason reason = DeadLetterReason.valueOf(result.reason);
            deadLetterCounters.count(reason);
            ctx.output(DeadLetters.OUTPUT, deadLetter(result, reason, now));
            return;
        }
        if (result.isFallback()) {
            fallbacks.inc();
        }
        predictions.inc();
        Prediction prediction = prediction(result, now);
        endToEndHistogram(result).update(prediction.getLatency().getEndToEndMillis());
        out.collect(prediction);
    }

    /** Event time to emitted, per model version (a job may serve several). */
    private Histogram endToEndHistogram(InferenceResult result) {
        return endToEndMillis
                .computeIfAbsent(result.modelName, model -> new HashMap<>())
                .computeIfAbsent(
                        result.modelVersion,
                        version ->
                                getRuntimeContext()
                                        .getMetricGroup()
                                        .addGroup("model", result.modelName)
                                        .addGroup("version", version)
                                        .histogram(
                                                "endToEndMillis",
                                                new DescriptiveStatisticsHistogram(4096)));
    }

    static Prediction prediction(InferenceResult result, long now) {
        InferenceRequest request = result.request;
        List<Float> scores = new ArrayList<>(result.scores.length);
        for (float score : result.scores) {
            scores.add(score);
        }
        List<ModelStep> path = new ArrayList<>(result.path.length);
        for (PathStep step : result.path) {
            path.add(new ModelStep(step.model, step.version, step.outcome.name()));
        }
        boolean fallback = result.isFallback();
        // The all-arguments constructors, not the builders: a builder validates and deep-copies
        // every field's default on creation, which cost more than the rest of this method.
        StageLatency latency =
                new StageLatency(
                        request.featurizeMicros,
                        result.queueWaitMicros,
                        result.computeMicros,
                        result.inferenceMicros,
                        result.batchSize,
                        now - request.eventTimeMillis);
        return new Prediction(
                request.eventId,
                request.sessionId,
                request.userId,
                request.eventType,
                result.modelName,
                result.modelVersion,
                result.scores[0],
                scores,
                Instant.ofEpochMilli(request.eventTimeMillis),
                Instant.ofEpochMilli(now),
                request.sessionEventCount,
                latency,
                result.cached,
                fallback,
                fallback ? result.reason : null,
                fallback && DeadLetterReason.OVER_BUDGET.name().equals(result.reason),
                request.rolloutId,
                path);
    }

    /** The dead letter of a failed request: its original record, as read, and why. */
    static DeadLetter deadLetter(InferenceResult result, DeadLetterReason reason, long now) {
        InferenceRequest request = result.request;
        return DeadLetters.fromRaw(
                request.origin,
                reason,
                request.eventId,
                "model " + result.modelName + ":" + result.modelVersion + ": " + result.message,
                result.errorClass,
                now);
    }
}
