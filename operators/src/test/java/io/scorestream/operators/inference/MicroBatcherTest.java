package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.inference.MicroBatcher.Queued;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

    private final ManualClock clock = new ManualClock();

    private MicroBatcher<Integer> batcher(int maxBatch, Duration maxDelay, int capacity) {
        return new MicroBatcher<>(new BatchingConfig(maxBatch, maxDelay, capacity, 1), clock);
    }

    @Test
    void sizeTriggerReleasesAFullBatchBeforeTheDeadline() {
        MicroBatcher<Integer> batcher = batcher(4, Duration.ofMillis(50), 16);
        for (int i = 0; i < 3; i++) {
            batcher.offer(i);
        }
        assertThat(batcher.poll()).as("3 of 4 queued, deadline not reached").isEmpty();

        batcher.offer(3);
        batcher.offer(4);

        assertThat(items(batcher.poll())).containsExactly(0, 1, 2, 3);
        assertThat(batcher.size()).isEqualTo(1);
    }

    @Test
    void deadlineTriggerReleasesAPartialBatchWhenTheOldestHasWaitedMaxDelay() {
        MicroBatcher<Integer> batcher = batcher(8, Duration.ofMillis(10), 16);
        batcher.offer(1);
        clock.advance(Duration.ofMillis(6));
        batcher.offer(2);

        clock.advance(Duration.ofMillis(3));
        assertThat(batcher.poll()).as("oldest waited 9 of 10 ms").isEmpty();

        clock.advance(Duration.ofMillis(1));
        List<Queued<Integer>> batch = batcher.poll();

        assertThat(items(batch)).containsExactly(1, 2);
        assertThat(batch.get(0).enqueuedNanos()).isLessThan(batch.get(1).enqueuedNanos());
    }

    @Test
    void zeroDelayHandsOutWhateverIsQueuedAtOnce() {
        MicroBatcher<Integer> batcher = batcher(8, Duration.ZERO, 16);
        batcher.offer(1);
        assertThat(items(batcher.poll())).containsExactly(1);

        for (int i = 0; i < 11; i++) {
            batcher.offer(i);
        }
        assertThat(items(batcher.poll())).hasSize(8);
        assertThat(items(batcher.poll())).containsExactly(8, 9, 10);
    }

    @Test
    void aFullQueueRefusesInsteadOfGrowing() throws InterruptedException {
        MicroBatcher<Integer> batcher = batcher(2, Duration.ofSeconds(1), 3);
        assertThat(batcher.offer(1)).isTrue();
        assertThat(batcher.offer(2)).isTrue();
        assertThat(batcher.offer(3)).isTrue();

        assertThat(batcher.offer(4)).isFalse();
        assertThat(batcher.offer(4, 1, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(batcher.size()).isEqualTo(3);

        batcher.poll();
        assertThat(batcher.offer(4)).isTrue();
    }

    @Test
    void takeReturnsAtOnceWhenABatchIsFull() throws InterruptedException {
        MicroBatcher<Integer> batcher = batcher(2, Duration.ofHours(1), 4);
        batcher.offer(1);
        batcher.offer(2);

        assertThat(items(batcher.take())).containsExactly(1, 2);
    }

    @Test
    void closeFlushesWhatIsQueuedThenSignalsTheEnd() throws InterruptedException {
        MicroBatcher<Integer> batcher = batcher(4, Duration.ofHours(1), 8);
        batcher.offer(1);
        batcher.offer(2);

        batcher.close();

        assertThat(items(batcher.take())).containsExactly(1, 2);
        assertThat(batcher.take()).isEmpty();
        assertThatThrownBy(() -> batcher.offer(3)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void closeWakesAWaitingWorker() throws Exception {
        MicroBatcher<Integer> batcher = batcher(4, Duration.ofHours(1), 8);
        Thread closer = new Thread(batcher::close);

        closer.start();
        List<Queued<Integer>> batch = batcher.take();
        closer.join();

        assertThat(batch).isEmpty();
    }

    private static List<Integer> items(List<Queued<Integer>> batch) {
        return batch.stream().map(Queued::item).toList();
    }
}
