package io.scorestream.operators.ingest;

import io.scorestream.operators.deadletter.DeadLetterReason.Stage;
import io.scorestream.schemas.InferenceEvent;
import java.util.Objects;

/**
 * A valid event and the record it was decoded from: its key, its bytes exactly as read, and where
 * it was read. The record travels with the event to the end of the pipeline, so a dead letter from
 * any later stage carries the original, and {@code replay-dlq} can publish it again as it came.
 *
 * <p>Crosses the keyBy to the session featurizer, written by {@link DecodedEventSerializer}.
 *
 * @param event the decoded event
 * @param origin the record it came from; null only for events made without a source (tests)
 */
public record DecodedEvent(InferenceEvent event, RawRecord origin) {

    public DecodedEvent {
        Objects.requireNonNull(event, "event");
    }

    /** The session id the pipeline keys by. */
    public String sessionId() {
        return event.getSessionId();
    }

    /**
     * Whether this is a record {@code replay-dlq} published again after a stage that comes after
     * the session featurizer rejected it: the session already holds the event.
     */
    public boolean isReplayOfFoldedEvent() {
        return origin != null && Stage.foldedIntoSession(origin.replayedStage);
    }
}
