package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResultCacheTest {

    private final ManualClock clock = new ManualClock();
    private final ResultCache cache = new ResultCache(2, Duration.ofSeconds(10), clock);

    @Test
    void aHitNeedsTheExactSameRow() {
        cache.put(new float[] {1f, 2f}, new float[] {0.3f});

        assertThat(cache.get(new float[] {1f, 2f})).containsExactly(0.3f);
        assertThat(cache.get(new float[] {1f, 2.0000002f})).isNull();
        assertThat(cache.get(new float[] {1f})).isNull();
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(2);
        assertThat(cache.hitRatio()).isEqualTo(1 / 3.0);
    }

    @Test
    void entriesExpireAfterTheirTimeToLive() {
        cache.put(new float[] {1f}, new float[] {0.5f});
        clock.advance(Duration.ofSeconds(9));
        assertThat(cache.get(new float[] {1f})).containsExactly(0.5f);

        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get(new float[] {1f})).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void theLeastRecentlyUsedEntryGoesWhenFull() {
        cache.put(new float[] {1f}, new float[] {0.1f});
        cache.put(new float[] {2f}, new float[] {0.2f});
        cache.get(new float[] {1f}); // 2 is now the least recently used
        cache.put(new float[] {3f}, new float[] {0.3f});

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(new float[] {2f})).isNull();
        assertThat(cache.get(new float[] {1f})).containsExactly(0.1f);
        assertThat(cache.get(new float[] {3f})).containsExactly(0.3f);
    }

    @Test
    void cachingIsOffForDisabledModelsAndAtZeroEntries() {
        CacheConfig config =
                new CacheConfig(100, Duration.ofMinutes(1), java.util.Set.of("intent-gru"));
        assertThat(config.caches("fraud-mlp")).isTrue();
        assertThat(config.caches("intent-gru")).isFalse();
        assertThat(CacheConfig.off().caches("fraud-mlp")).isFalse();
    }
}
