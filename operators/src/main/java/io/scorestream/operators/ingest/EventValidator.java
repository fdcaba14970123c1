package io.scorestream.operators.ingest;

import io.scorestream.operators.deadletter.DeadLetterReason;
import io.scorestream.schemas.InferenceEvent;
import java.io.Serializable;
import java.util.List;

/** Checks that a decoded event can be scored; says why not otherwise. */
public final class EventValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EventSpec spec;
    private final InputRules rules;

    public EventValidator(EventSpec spec) {
        this(spec, InputRules.defaults());
    }

    public EventValidator(EventSpec spec, InputRules rules) {
        this.spec = spec;
        this.rules = rules;
    }

    /** The outcome of validating one event: valid, or a reason and a message for humans. */
    public record Verdict(DeadLetterReason reason, String message) {
        static final Verdict VALID = new Verdict(null, null);

        public boolean valid() {
            return reason == null;
        }
    }

    public Verdict validate(InferenceEvent event) {
        if (isBlank(event.getEventId())) {
            return new Verdict(DeadLetterReason.MISSING_EVENT_ID, "event has no event id");
        }
        if (isBlank(event.getSessionId())) {
            return new Verdict(
                    DeadLetterReason.MISSING_SESSION_ID,
                    "event " + event.getEventId() + " has no session id");
        }
        if (spec.typeIndex(event.getEventType()) < 0) {
            return new Verdict(
                    DeadLetterReason.UNKNOWN_EVENT_TYPE,
                    "unknown event type '"
                            + event.getEventType()
                            + "', expected one of "
                            + spec.eventTypes());
        }
        List<Float> features = event.getFeatures();
        if (features.size() != spec.featureCount()) {
            return new Verdict(
                    DeadLetterReason.WRONG_FEATURE_COUNT,
                    "expected " + spec.featureCount() + " features, got " + features.size());
        }
        for (int i = 0; i < features.size(); i++) {
            float value = features.get(i);
            if (!Float.isFinite(value)) {
                return new Verdict(
                        DeadLetterReason.NON_FINITE_FEATURE,
                        "feature " + i + " is " + value + ": features must be finite numbers");
            }
            FeatureRange range = rules.rangeOf(i);
            if (!range.contains(value)) {
                return new Verdict(
                        DeadLetterReason.OUT_OF_RANGE_FEATURE,
                        "feature " + i + " is " + value + ", outside its range " + range);
            }
        }
        return Verdict.VALID;
    }

    private static boolean isBlank(CharSequence text) {
        return text == null || text.toString().isBlank();
    }
}
