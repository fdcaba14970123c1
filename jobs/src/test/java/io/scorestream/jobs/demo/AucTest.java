package io.scorestream.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AucTest {

    @Test
    void perfectInverseAndTiedRankings() {
        boolean[] labels = {false, false, true, true};
        assertThat(Auc.of(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, labels)).isEqualTo(1.0);
        assertThat(Auc.of(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, labels)).isEqualTo(0.0);
        assertThat(Auc.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, labels)).isEqualTo(0.5);
    }

    @Test
    void countsPairsWithTiesAsHalf() {
        // Pairs (positive, negative): (0.8 vs 0.3) win, (0.8 vs 0.8) tie, (0.4 vs 0.3) win,
        // (0.4 vs 0.8) loss => (1 + 0.5 + 1 + 0) / 4.
        float[] scores = {0.3f, 0.8f, 0.8f, 0.4f};
        boolean[] labels = {false, false, true, true};
        assertThat(Auc.of(scores, labels)).isCloseTo(0.625, within(1e-12));
    }

    @Test
    void isUndefinedWithoutBothClasses() {
        assertThat(Auc.of(new float[] {0.1f, 0.2f}, new boolean[] {true, true})).isNaN();
    }
}
