package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.TestModels.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ScoringModel#predict} from several threads at once scores like one thread does. */
class ConcurrentPredictTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 25;

    @ParameterizedTest
    @ValueSource(strings = {"fraud-mlp/1", "intent-gru/1"})
    void fourThreadsScoreLikeOne(String modelSlashVersion) throws Exception {
        ModelLocation location = TestModels.resolve(modelSlashVersion);
        Golden golden = TestModels.golden(location);
        List<float[][]> batches = batches(golden.inputs());

        try (ScoringModel model = ModelLoader.load(location, LoadOptions.defaults())) {
            List<float[][]> expected = new ArrayList<>();
            for (float[][] batch : batches) {
                expected.add(model.predict(batch));
            }

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t;
                    results.add(
                            pool.submit(
                                    () -> {
                                        start.await();
                                        int checked = 0;
                                        for (int round = 0; round < ROUNDS; round++) {
                                            for (int b = 0; b < batches.size(); b++) {
                                                // Each thread walks the batches in its own order.
                                                int i = (b + offset * 3 + round) % batches.size();
                                                assertSame(
                                                        expected.get(i),
                                                        model.predict(batches.get(i)));
                                                checked++;
                                            }
                                        }
                                        return checked;
                                    }));
                }
                start.countDown();
                for (Future<Integer> result : results) {
                    assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(ROUNDS * batches.size());
                }
            } finally {
                pool.shutdownNow();
            }
            // Sessions are reused: at most one per thread that ever predicted at once, plus the
            // warm-up/reference thread's.
            assertThat(model.pooledSessionsCreated()).isBetween(1, THREADS + 1);
        }
    }

    /** Batches of 1, 2, 3, ... rows cycling through the golden inputs. */
    private static List<float[][]> batches(float[][] inputs) {
        List<float[][]> batches = new ArrayList<>();
        int next = 0;
        for (int size = 1; size <= 12; size++) {
            float[][] batch = new float[size][];
            for (int k = 0; k < size; k++) {
                batch[k] = inputs[next++ % inputs.length];
            }
            batches.add(batch);
        }
        return batches;
    }

    private static void assertSame(float[][] expected, float[][] actual) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).hasSize(expected[i].length);
            for (int j = 0; j < expected[i].length; j++) {
                assertThat(actual[i][j]).isCloseTo(expected[i][j], within(1e-6f));
            }
        }
    }
}
