package io.scorestream.jobs.dlq;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay did.
 *
 * @param read dead letters read from the topic
 * @param replayed dead letters whose original record was published again
 * @param unreadable records of the dead-letter topic that are not DeadLetter records (skipped)
 * @param truncated chosen dead letters not replayed because their value was truncated
 * @param replayedByReason replayed dead letters by reason
 */
public record ReplayResult(
        long read,
        long replayed,
        long unreadable,
        long truncated,
        Map<String, Long> replayedByReason) {

    public ReplayResult {
        replayedByReason = Map.copyOf(replayedByReason);
    }

    /** One line for people, e.g. {@code replayed 3 of 10 dead letters (LATE_EVENT=3)}. */
    public String summary(String fromTopic, String toTopic) {
        return "replayed "
                + replayed
                + " of "
                + read
                + " dead letters from "
                + fromTopic
                + " to "
                + toTopic
                + " "
                + new TreeMap<>(replayedByReason)
                + (unreadable > 0
                        ? "; skipped " + unreadable + " records that are not dead letters"
                        : "")
                + (truncated > 0
                        ? "; skipped "
                                + truncated
                                + " truncated dead letters (their value is incomplete: find the"
                                + " originals by originalValueSha256)"
                        : "");
    }
}
