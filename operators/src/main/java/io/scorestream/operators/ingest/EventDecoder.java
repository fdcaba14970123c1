package io.scorestream.operators.ingest;

import io.scorestream.operators.deadletter.DeadLetterCounters;
import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.operators.deadletter.DeadLetterReason.Stage;
import io.scorestream.operators.deadletter.DeadLetters;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import io.scorestream.schemas.InferenceEvent;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns raw records into valid events, each with the record it came from ({@link DecodedEvent}).
 * Whatever cannot be decoded or fails validation goes to the {@link DeadLetters#OUTPUT} side output
 * with its original bytes, key and source offset, and is counted under its reason. Nothing here
 * throws for bad input: every record is either emitted or dead-lettered.
 *
 * <p>Checks, in order: an empty value; a value above the maximum record size; the Confluent header
 * (when configured); Avro decoding with bounded reader limits; the key (when required); the event's
 * fields against the model's spec and the feature ranges; the event's age.
 */
public class EventDecoder extends ProcessFunction<RawRecord, DecodedEvent> {
    private static final long serialVersionUID = 1L;

    /** Every reason this operator can dead-letter a record for. */
    public static final Set<DeadLetterReason> REASONS =
            DeadLetterReason.ofStages(Stage.DECODE, Stage.VALIDATE);

    private final EventValidator validator;
    private final InputRules rules;

    private transient AvroCodec<InferenceEvent> codec;
    private transient DeadLetterCounters deadLetterCounters;
    private transient Counter decoded;

    public EventDecoder(EventSpec spec) {
        this(spec, InputRules.defaults());
    }

    public EventDecoder(EventSpec spec, InputRules rules) {
        this.rules = rules;
        this.validator = new EventValidator(spec, rules);
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(InferenceEvent.class, rules.readerLimits());
        deadLetterCounters = new DeadLetterCounters(getRuntimeContext().getMetricGroup(), REASONS);
        decoded = getRuntimeContext().getMetricGroup().counter("eventsDecoded");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<DecodedEvent> out) {
        long now = ctx.timerService().currentProcessingTime();
        Rejection rejection;
        InferenceEvent event = null;
        try {
            event = decode(raw);
            rejection = check(raw, event, now);
        } catch (Rejection r) {
            rejection = r;
        } catch (RuntimeException e) {
            // Not expected (the fuzz test looks for it), but bad input must never fail the job.
            rejection =
                    new Rejection(
                            DeadLetterReason.UNDECODABLE,
                            "unexpected error while decoding: " + e,
                            e);
        }
        if (rejection == null) {
            decoded.inc();
            out.collect(new DecodedEvent(event, raw));
            return;
        }
        deadLetterCounters.count(rejection.reason);
        ctx.output(
                DeadLetters.OUTPUT,
                DeadLetters.fromRaw(
                        raw,
                        rejection.reason,
                        event == null ? null : event.getEventId(),
                        String.valueOf(rejection.getMessage()),
                        rejection.getCause(),
                        now));
    }

    private InferenceEvent decode(RawRecord raw) {
        byte[] value = raw.value;
        if (value == null || value.length == 0) {
            throw new Rejection(DeadLetterReason.EMPTY_VALUE, "record has no value", null);
        }
        if (value.length > rules.maxRecordBytes()) {
            throw new Rejection(
                    DeadLetterReason.OVERSIZED_RECORD,
                    "record value has "
                            + value.length
                            + " bytes, more than the maximum of "
                            + rules.maxRecordBytes(),
                    null);
        }
        int offset = 0;
        if (rules.wireFormat() == WireFormat.CONFLUENT) {
            offset = checkConfluentHeader(value);
        }
        try {
            return codec.decode(value, offset, value.length - offset);
        } catch (AvroDecodeException e) {
            throw new Rejection(reasonOf(e), e.getMessage(), e);
        }
    }

    private int checkConfluentHeader(byte[] value) {
        if (value[0] != WireFormat.CONFLUENT_MAGIC_BYTE) {
            throw new Rejection(
                    DeadLetterReason.BAD_MAGIC_BYTE,
                    "expected the Confluent wire format (magic byte 0), got first byte "
                            + (value[0] & 0xff),
                    null);
        }
        if (value.length < WireFormat.CONFLUENT_HEADER_LENGTH) {
            throw new Rejection(
                    DeadLetterReason.BAD_MAGIC_BYTE,
                    "record of "
                            + value.length
                            + " bytes is too short for the Confluent header (5 bytes)",
                    null);
        }
        int schemaId = WireFormat.confluentSchemaId(value);
        if (!rules.acceptedSchemaIds().contains(schemaId)) {
            throw new Rejection(
                    DeadLetterReason.UNKNOWN_SCHEMA_ID,
                    "schema id "
                            + schemaId
                            + " is not one of the accepted ids "
                            + new TreeSet<>(rules.acceptedSchemaIds()),
                    null);
        }
        if (value.length == WireFormat.CONFLUENT_HEADER_LENGTH) {
            throw new Rejection(
                    DeadLetterReason.EMPTY_VALUE, "Confluent header without a payload", null);
        }
        return WireFormat.CONFLUENT_HEADER_LENGTH;
    }

    private Rejection check(RawRecord raw, InferenceEvent event, long now) {
        if (rules.requireKey() && (raw.key == null || raw.key.length == 0)) {
            return new Rejection(
                    DeadLetterReason.MISSING_KEY,
                    "event " + event.getEventId() + " has no record key; producers key by session",
                    null);
        }
        EventValidator.Verdict verdict = validator.validate(event);
        if (!verdict.valid()) {
            return new Rejection(verdict.reason(), verdict.message(), null);
        }
        long maxAge = rules.maxEventAge().toMillis();
        long age = now - event.getEventTime().toEpochMilli();
        if (maxAge > 0 && age > maxAge) {
            return new Rejection(
                    DeadLetterReason.LATE_EVENT,
                    "event "
                            + event.getEventId()
                            + " is "
                            + age
                            + " ms old, older than the maximum age of "
                            + maxAge
                            + " ms",
                    null);
        }
        return null;
    }

    private static DeadLetterReason reasonOf(AvroDecodeException e) {
        return switch (e.problem()) {
            case EMPTY -> DeadLetterReason.EMPTY_VALUE;
            case MALFORMED -> DeadLetterReason.UNDECODABLE;
            case WRONG_SCHEMA -> DeadLetterReason.WRONG_SCHEMA;
            case LIMIT_EXCEEDED -> DeadLetterReason.OVERSIZED_FIELD;
        };
    }

    /** Why a record is rejected; an exception only to leave the checks early, never thrown out. */
    private static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient DeadLetterReason reason;

        Rejection(DeadLetterReason reason, String message, Throwable cause) {
            super(message, cause, false, false);
            this.reason = reason;
        }
    }
}
