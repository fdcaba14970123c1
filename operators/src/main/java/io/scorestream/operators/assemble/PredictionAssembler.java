package io.scorestream.operators.assemble;

import io.scorestream.operators.deadletter.DeadLetterCounters;
import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import io.scorestream.schemas.StageLatency;
import java.nio.ByteBuffer;
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
 * Turns inference results into Avro predictions, and failed ones into dead letters on {@link
 * DeadLetters#OUTPUT} that carry the event re-encoded, so they can be replayed.
 */
public class PredictionAssembler extends ProcessFunction<InferenceResult, Prediction> {
    private static final long serialVersionUID = 1L;

    private transient AvroCodec<InferenceEvent> eventCodec;
    private transient DeadLetterCounters deadLetterCounters;
    private transient Counter predictions;
    private transient Counter fallbacks;
    private transient Map<String, Histogram> endToEndMillis;

    @Override
    public void open(OpenContext openContext) {
        eventCodec = AvroCodec.of(InferenceEvent.class);
        var metrics = getRuntimeContext().getMetricGroup();
        deadLetterCounters =
                new DeadLetterCounters(
                        metrics,
                        EnumSet.of(
                                DeadLetterReason.INFERENCE_FAILED,
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
        if (result.outcome == InferenceResult.Outcome.FALLBACK) {
            fallbacks.inc();
        }
        predictions.inc();
        Prediction prediction = prediction(result, now);
        endToEndHistogram(result.request).update(prediction.getLatency().getEndToEndMillis());
        out.collect(prediction);
    }

    /** Event time to emitted, per model version (a job may serve several). */
    private Histogram endToEndHistogram(InferenceRequest request) {
        return endToEndMillis.computeIfAbsent(
                request.modelName + ":" + request.modelVersion,
                ignored ->
                        getRuntimeContext()
                                .getMetricGroup()
                                .addGroup("model", request.modelName)
                                .addGroup("version", request.modelVersion)
                                .histogram(
                                        "endToEndMillis",
                                        new DescriptiveStatisticsHistogram(4096)));
    }

    static Prediction prediction(InferenceResult result, long now) {
        InferenceRequest request = result.request;
        InferenceEvent event = request.event;
        List<Float> scores = new ArrayList<>(result.scores.length);
        for (float score : result.scores) {
            scores.add(score);
        }
        boolean fallback = result.outcome == InferenceResult.Outcome.FALLBACK;
        return Prediction.newBuilder()
                .setEventId(event.getEventId())
                .setSessionId(event.getSessionId())
                .setUserId(event.getUserId())
                .setEventType(event.getEventType())
                .setModelName(request.modelName)
                .setModelVersion(request.modelVersion)
                .setScore(result.scores[0])
                .setScores(scores)
                .setEventTime(event.getEventTime())
                .setScoredTime(Instant.ofEpochMilli(now))
                .setSessionEventCount(request.sessionEventCount)
                .setLatency(
                        StageLatency.newBuilder()
                                .setFeaturizeMicros(request.featurizeMicros)
                                .setQueueWaitMicros(result.queueWaitMicros)
                                .setComputeMicros(result.computeMicros)
                                .setInferenceMicros(result.inferenceMicros)
                                .setBatchSize(result.batchSize)
                                .setEndToEndMillis(now - event.getEventTime().toEpochMilli())
                                .build())
                .setFallback(fallback)
                .setFallbackReason(fallback ? result.reason : null)
                .setOverBudget(
                        fallback && DeadLetterReason.OVER_BUDGET.name().equals(result.reason))
                .build();
    }

    private DeadLetter deadLetter(InferenceResult result, DeadLetterReason reason, long now) {
        InferenceEvent event = result.request.event;
        return DeadLetter.newBuilder()
                .setOriginalValue(ByteBuffer.wrap(eventCodec.encode(event)))
                .setEventId(event.getEventId())
                .setStage(reason.stage().label())
                .setReason(reason.name())
                .setErrorClass(result.errorClass)
                .setMessage(
                        "model "
                                + result.request.modelName
                                + ":"
                                + result.request.modelVersion
                                + ": "
                                + result.message)
                .setDeadLetterTime(Instant.ofEpochMilli(now))
                .build();
    }
}
