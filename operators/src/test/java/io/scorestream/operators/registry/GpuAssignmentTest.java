package io.scorestream.operators.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.junit.jupiter.api.Test;

/** Reads the GPU index through Flink's own runtime context, fed by a fake GPU driver's infos. */
class GpuAssignmentTest {

    /** What Flink's GPU driver reports for one GPU: the property {@code index}. */
    private record FakeGpu(Map<String, String> properties) implements ExternalResourceInfo {
        static FakeGpu index(String index) {
            return new FakeGpu(Map.of("index", index));
        }

        @Override
        public Optional<String> getProperty(String key) {
            return Optional.ofNullable(properties.get(key));
        }

        @Override
        public Collection<String> getKeys() {
            return properties.keySet();
        }
    }

    private static OptionalInt assigned(ExternalResourceInfoProvider provider) throws Exception {
        try (MockEnvironment environment = new MockEnvironmentBuilder().build()) {
            StreamingRuntimeContext context =
                    new StreamingRuntimeContext(
                            environment,
                            new HashMap<>(),
                            UnregisteredMetricsGroup.createOperatorMetricGroup(),
                            new OperatorID(),
                            null,
                            null,
                            provider);
            return GpuAssignment.fromRuntimeContext(context);
        }
    }

    private static ExternalResourceInfoProvider gpus(ExternalResourceInfo... infos) {
        return name -> name.equals("gpu") ? Set.of(infos) : Set.of();
    }

    @Test
    void theGpuFlinkAssignedIsRead() throws Exception {
        assertThat(assigned(gpus(FakeGpu.index("3")))).hasValue(3);
    }

    @Test
    void ofSeveralAssignedGpusTheLowestIndexIsUsed() throws Exception {
        assertThat(assigned(gpus(FakeGpu.index("2"), FakeGpu.index("1")))).hasValue(1);
    }

    @Test
    void withoutAGpuResourceThereIsNoAssignment() throws Exception {
        assertThat(assigned(ExternalResourceInfoProvider.NO_EXTERNAL_RESOURCES)).isEmpty();
        assertThat(assigned(gpus(new FakeGpu(Map.of("vendor", "nvidia"))))).isEmpty();
    }

    @Test
    void anIndexThatIsNotADeviceNumberIsAnError() {
        assertThatThrownBy(() -> GpuAssignment.lowestIndex(List.of(FakeGpu.index("GPU-7f3a"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Flink's gpu external resource reports GPU index 'GPU-7f3a', which is not"
                                + " a device number");
    }
}
