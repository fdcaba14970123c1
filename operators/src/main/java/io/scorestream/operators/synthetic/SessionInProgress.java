package io.scorestream.operators.synthetic;

/**
 * A synthetic session whose events are drawn one at a time ({@link SyntheticSessions#nextEvent}):
 * what was decided when it began (its ids, labels, what shows and its length) and how far it got.
 * Small, so a benchmark can keep a million of them open at once.
 */
public final class SessionInProgress {
    final String sessionId;
    final String userId;
    final boolean fraud;
    final boolean buyer;

    /** Buyer and showing intent: its events look like a buyer's. */
    final boolean showsIntent;

    /** Fraudster and showing it: its events look like fraud. */
    final boolean showsFraud;

    final int length;
    int emitted;
    long time;

    SessionInProgress(
            String sessionId,
            String userId,
            boolean fraud,
            boolean buyer,
            boolean showsIntent,
            boolean showsFraud,
            int length,
            long startMillis) {
        this.sessionId = sessionId;
        this.userId = userId;
        this.fraud = fraud;
        this.buyer = buyer;
        this.showsIntent = showsIntent;
        this.showsFraud = showsFraud;
        this.length = length;
        this.time = startMillis;
    }

    public String sessionId() {
        return sessionId;
    }

    /** Events the session has in all (4 to 24). */
    public int length() {
        return length;
    }

    /** Whether it has events left to draw. */
    public boolean hasNext() {
        return emitted < length;
    }
}
