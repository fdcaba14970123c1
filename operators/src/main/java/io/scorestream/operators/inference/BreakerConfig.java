package io.scorestream.operators.inference;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * When a model version's circuit breaker opens and for how long.
 *
 * @param failureThreshold consecutive failures or timeouts that open the breaker; 0 turns it off
 * @param coolDown how long it stays open before one trial call may go through
 */
public record BreakerConfig(int failureThreshold, Duration coolDown) implements Serializable {

    public BreakerConfig {
        if (failureThreshold < 0) {
            throw new IllegalArgumentException(
                    "failureThreshold must be >= 0: " + failureThreshold);
        }
        Objects.requireNonNull(coolDown, "coolDown");
        if (coolDown.isNegative() || coolDown.isZero()) {
            throw new IllegalArgumentException("coolDown must be positive: " + coolDown);
        }
    }

    public static BreakerConfig off() {
        return new BreakerConfig(0, Duration.ofSeconds(30));
    }

    public boolean enabled() {
        return failureThreshold > 0;
    }
}
