package io.scorestream.operators.inference;

import io.scorestream.operators.time.Clock;

/**
 * Stops calling a model version that keeps failing: after {@code failureThreshold} consecutive
 * failures or timeouts it opens, and calls skip the model (their events take the fallback chain at
 * once instead of waiting for a timeout); after the cool-down one trial call goes through, and its
 * success closes the breaker while its failure opens it for another cool-down. Disabled ({@code
 * failureThreshold} 0), it never opens.
 */
public final class CircuitBreaker {

    /** The breaker's state; its ordinal is the value of the {@code circuitState} gauge. */
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final BreakerConfig config;
    private final Clock clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntilNanos;
    private long trialStartedNanos;
    private long opened;

    public CircuitBreaker(BreakerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Whether a call may go to the model now; in half-open state only the first caller may. */
    public synchronized boolean allowsCall() {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (clock.nanoTime() - openUntilNanos >= 0) {
                    state = State.HALF_OPEN;
                    trialStartedNanos = clock.nanoTime();
                    return true;
                }
                return false;
            case HALF_OPEN:
            default:
                // One trial at a time; a trial that never reported (it was not queued, or its
                // answer was lost) gives way to another after a cool-down.
                if (clock.nanoTime() - trialStartedNanos >= config.coolDown().toNanos()) {
                    trialStartedNanos = clock.nanoTime();
                    return true;
                }
                return false;
        }
    }

    public synchronized void recordSuccess() {
        consecutiveFailures = 0;
        state = State.CLOSED;
    }

    public synchronized void recordFailure() {
        if (!config.enabled()) {
            return;
        }
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= config.failureThreshold()) {
            state = State.OPEN;
            openUntilNanos = clock.nanoTime() + config.coolDown().toNanos();
            opened++;
        }
    }

    public synchronized State state() {
        return state;
    }

    /** How many times the breaker opened. */
    public synchronized long timesOpened() {
        return opened;
    }
}
