package io.scorestream.operators.ingest;

import io.scorestream.operators.deadletter.DeadLetterCounters;
import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import io.scorestream.schemas.InferenceEvent;
import java.util.EnumSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns raw records into valid events. Whatever cannot be decoded or fails validation goes to the
 * {@link DeadLetters#OUTPUT} side output with its original bytes and source offset; nothing here
 * throws for bad input.
 */
public class EventDecoder extends ProcessFunction<RawRecord, InferenceEvent> {
    private static final long serialVersionUID = 1L;

    private final EventValidator validator;

    private transient AvroCodec<InferenceEvent> codec;
    private transient DeadLetterCounters deadLetterCounters;
    private transient Counter decoded;

    public EventDecoder(EventSpec spec) {
        this.validator = new EventValidator(spec);
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(InferenceEvent.class);
        deadLetterCounters =
                new DeadLetterCounters(
                        getRuntimeContext().getMetricGroup(),
                        EnumSet.range(
                                DeadLetterReason.EMPTY_VALUE, DeadLetterReason.NON_FINITE_FEATURE));
        decoded = getRuntimeContext().getMetricGroup().counter("eventsDecoded");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<InferenceEvent> out) {
        long now = ctx.timerService().currentProcessingTime();
        if (raw.value == null || raw.value.length == 0) {
            reject(ctx, raw, DeadLetterReason.EMPTY_VALUE, null, "record has no value", null, now);
            return;
        }
        InferenceEvent event;
        try {
            event = codec.decode(raw.value);
        } catch (AvroDecodeException e) {
            reject(ctx, raw, DeadLetterReason.UNDECODABLE, null, e.getMessage(), e, now);
            return;
        }
        EventValidator.Verdict verdict = validator.validate(event);
        if (!verdict.valid()) {
            reject(ctx, raw, verdict.reason(), event.getEventId(), verdict.message(), null, now);
            return;
        }
        decoded.inc();
        out.collect(event);
    }

    private void reject(
            Context ctx,
            RawRecord raw,
            DeadLetterReason reason,
            String eventId,
            String message,
            Throwable error,
            long now) {
        deadLetterCounters.count(reason);
        ctx.output(
                DeadLetters.OUTPUT, DeadLetters.fromRaw(raw, reason, eventId, message, error, now));
    }
}
