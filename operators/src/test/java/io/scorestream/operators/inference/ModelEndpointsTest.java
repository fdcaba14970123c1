package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the operator asks its residency for a version's service, and what it remembers between. */
class ModelEndpointsTest {

    private static final ModelInput MLP = new ModelInput("fraud-mlp", "1", null);
    private static final ModelInput MISSING = new ModelInput("no-such-model", "1", null);
    private static final ModelInput LOADING = new ModelInput("fraud-mlp", "2", null);

    private final CompletableFuture<InferenceService> load = new CompletableFuture<>();

    private final ManualClock clock = new ManualClock();
    private final List<String> asked = new ArrayList<>();
    private final InferenceService mlp =
            new InferenceService(
                    ModelLoader.load(
                            ModelRepository.at(ReferenceModels.root()).resolve("fraud-mlp", "1"),
                            LoadOptions.defaults()),
                    new BatchingConfig(8, Duration.ZERO, 64, 1),
                    clock);
    private final ModelEndpoints endpoints =
            new ModelEndpoints(
                    version -> {
                        asked.add(version.label());
                        if (version.model.equals(MISSING.model)) {
                            throw new IllegalStateException("no such model");
                        }
                        if (version.version.equals(LOADING.version)) {
                            return load;
                        }
                        return CompletableFuture.completedFuture(mlp);
                    },
                    new UnregisteredMetricsGroup(),
                    clock,
                    Duration.ofSeconds(1));

    @AfterEach
    void close() {
        mlp.close();
    }

    @Test
    void aRunningVersionIsReusedForTheReuseTimeThenAskedForAgain() {
        ModelEndpoints.Endpoint first = endpoints.endpoint(MLP);
        clock.advance(Duration.ofMillis(999));
        ModelEndpoints.Endpoint again =
                endpoints.endpoint(new ModelInput("fraud-mlp", "1", new float[3]));

        assertThat(first.service()).isSameAs(mlp);
        assertThat(again).isSameAs(first);
        assertThat(asked).containsExactly("fraud-mlp:1");

        clock.advance(Duration.ofMillis(1));
        assertThat(endpoints.endpoint(MLP).service()).isSameAs(mlp);
        assertThat(asked).containsExactly("fraud-mlp:1", "fraud-mlp:1");
    }

    @Test
    void aVersionStillLoadingIsHandedOutAsLoadingUntilItsLoadEnds() {
        ModelEndpoints.Endpoint loading = endpoints.endpoint(LOADING);
        assertThat(loading.service()).isNull();
        assertThat(loading.loading()).isSameAs(load);
        clock.advance(Duration.ofSeconds(5));
        assertThat(endpoints.endpoint(LOADING)).isSameAs(loading);

        load.complete(mlp);

        assertThat(endpoints.endpoint(LOADING).service()).isSameAs(mlp);
        assertThat(endpoints.endpoint(LOADING).loading()).isNull();
        assertThat(asked).as("asked once, then told by the load").containsExactly("fraud-mlp:2");
    }

    @Test
    void aVersionWhoseLoadFailedIsUnavailableUntilTheRetryPauseEnds() {
        endpoints.endpoint(LOADING);
        load.completeExceptionally(new IllegalStateException("corrupt"));

        assertThat(endpoints.endpoint(LOADING).service()).isNull();
        assertThat(endpoints.endpoint(LOADING).loading()).isNull();
        clock.advance(Duration.ofSeconds(30));
        endpoints.endpoint(LOADING);
        assertThat(asked).containsExactly("fraud-mlp:2", "fraud-mlp:2");
    }

    @Test
    void aVersionThatFailsToStartIsUnavailableUntilTheRetryPauseEnds() {
        assertThat(endpoints.endpoint(MISSING).service()).isNull();
        clock.advance(Duration.ofSeconds(29));
        assertThat(endpoints.endpoint(MISSING).service()).isNull();
        assertThat(asked).containsExactly("no-such-model:1");

        clock.advance(Duration.ofSeconds(1));
        assertThat(endpoints.endpoint(MISSING).service()).isNull();
        assertThat(asked).containsExactly("no-such-model:1", "no-such-model:1");
        assertThat(endpoints.endpoint(MISSING).metrics())
                .as("one version keeps its metrics across failures")
                .isSameAs(endpoints.endpoint(MISSING).metrics());
    }
}
