package io.scorestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.model.TestModels.Golden;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every model version in the repository reproduces its golden scores through DJL. */
class GoldenScoresTest {

    private static final float TOLERANCE = 1e-5f;

    static Stream<String> versions() {
        return TestModels.allVersions();
    }

    @Test
    void repositoryHoldsTheReferenceModels() {
        ModelRepository repository = TestModels.repository();
        assertThat(repository.models())
                .contains(TestModels.FRAUD, TestModels.INTENT, TestModels.FRAUD_LARGE);
        assertThat(repository.versions(TestModels.FRAUD)).contains("1", "2");
        assertThat(repository.versions(TestModels.INTENT)).contains("1", "2");
        assertThat(repository.versions(TestModels.FRAUD_LARGE)).contains("1");
        assertThat(versions()).contains("fraud-gru/1");
    }

    @Test
    void theFraudPairPredictsOneLabelFromOneSchemaAndTheIntentModelAnother() {
        ModelManifest small = TestModels.resolve("fraud-mlp/2").manifest();
        ModelManifest large = TestModels.resolve("fraud-gru/1").manifest();
        ModelManifest intent = TestModels.resolve("intent-gru/2").manifest();

        assertThat(large.label()).isEqualTo(small.label()).isEqualTo("fraud");
        assertThat(intent.label()).isEqualTo("buyer");
        assertThat(large.featureSpec().eventFeatures())
                .isEqualTo(small.featureSpec().eventFeatures());
        assertThat(large.featureSpec().layout()).isEqualTo(FeatureLayout.SESSION_SEQUENCE);
        assertThat(large.input().shape()).containsExactly(16, 11);
        assertThat(large.engines()).containsExactly("PyTorch", "OnnxRuntime");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void reproducesGoldenScores(String modelSlashVersion) {
        ModelLocation location = TestModels.resolve(modelSlashVersion);
        Golden golden = TestModels.golden(location);
        try (ScoringModel model = ModelLoader.load(location, LoadOptions.defaults())) {
            assertThat(model.outputWidth()).isEqualTo(1);
            assertThat(golden.inputs()[0]).hasSize(model.inputWidth());

            assertScores("one batch", model.predict(golden.inputs()), golden.scores());

            for (int i = 0; i < golden.inputs().length; i++) {
                float[][] one = model.predict(new float[][] {golden.inputs()[i]});
                assertScores("row " + i + " alone", one, golden.scores()[i]);
            }

            // 64+ rows cycled from the golden ones, scored in chunks of each size.
            int total = Math.max(64, golden.inputs().length) * 2;
            for (int batchSize : new int[] {1, 7, 64}) {
                for (int from = 0; from < total; from += batchSize) {
                    int size = Math.min(batchSize, total - from);
                    float[][] batch = new float[size][];
                    float[] expected = new float[size];
                    for (int k = 0; k < size; k++) {
                        int source = (from + k) % golden.inputs().length;
                        batch[k] = golden.inputs()[source];
                        expected[k] = golden.scores()[source];
                    }
                    assertScores(
                            "batch size " + batchSize + " from " + from,
                            model.predict(batch),
                            expected);
                }
            }
        }
    }

    private static void assertScores(String what, float[][] actual, float... expected) {
        assertThat(actual.length).as(what + ": rows").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as(what + ", row " + i).hasSize(1);
            assertThat(actual[i][0])
                    .as(what + ", row " + i + " " + Arrays.toString(actual[i]))
                    .isCloseTo(expected[i], within(TOLERANCE));
        }
    }
}
