package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.inference.CircuitBreaker.State;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker =
            new CircuitBreaker(new BreakerConfig(3, Duration.ofSeconds(30)), clock);

    @Test
    void opensAfterConsecutiveFailuresOnly() {
        breaker.recordFailure();
        breaker.recordFailure();
        breaker.recordSuccess(); // resets the run
        breaker.recordFailure();
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.allowsCall()).isTrue();

        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.allowsCall()).isFalse();
        assertThat(breaker.timesOpened()).isEqualTo(1);
    }

    @Test
    void afterTheCoolDownOneTrialDecides() {
        open();
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.allowsCall()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.allowsCall()).as("the trial").isTrue();
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.allowsCall()).as("a second caller during the trial").isFalse();

        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.allowsCall()).isTrue();
    }

    @Test
    void aFailedTrialOpensItForAnotherCoolDown() {
        open();
        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.allowsCall()).isTrue();

        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.timesOpened()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.allowsCall()).isFalse();
    }

    @Test
    void aTrialThatNeverReportsGivesWayAfterACoolDown() {
        open();
        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.allowsCall()).isTrue();
        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.allowsCall()).isTrue();
    }

    @Test
    void aDisabledBreakerNeverOpens() {
        CircuitBreaker off = new CircuitBreaker(BreakerConfig.off(), clock);
        for (int i = 0; i < 100; i++) {
            off.recordFailure();
        }
        assertThat(off.allowsCall()).isTrue();
        assertThat(off.state()).isEqualTo(State.CLOSED);
    }

    private void open() {
        for (int i = 0; i < 3; i++) {
            breaker.recordFailure();
        }
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }
}
