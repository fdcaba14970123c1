package io.scorestream.it.deploy;

import static io.scorestream.it.deploy.DeploymentFiles.documents;
import static io.scorestream.it.deploy.DeploymentFiles.flatten;
import static io.scorestream.it.deploy.DeploymentFiles.flinkConf;
import static io.scorestream.it.deploy.DeploymentFiles.get;
import static io.scorestream.it.deploy.DeploymentFiles.k8s;
import static io.scorestream.it.deploy.DeploymentFiles.list;
import static io.scorestream.it.deploy.DeploymentFiles.mapping;
import static io.scorestream.it.deploy.DeploymentFiles.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.local.LocalMemory;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;

/**
 * RocksDB's memory where the job runs (README, "Memory for session state"): Flink's memory model
 * resolves the Kubernetes TaskManagers' settings into a process that fits its pod and gives each
 * slot the managed memory for a million hot sessions; a local Flink gets {@link LocalMemory}'s.
 */
class TaskManagerMemoryTest {

    /** ~0.85 KB of state per session, half of managed memory for write buffers: ~2 KB each. */
    private static final MemorySize PER_SLOT_FOR_A_MILLION_SESSIONS = MemorySize.parse("2g");

    @Test
    void kubernetesTaskManagersFitTheirPodsAndGiveEachSlotRocksDbMemoryForAMillionSessions() {
        Configuration conf =
                Configuration.fromMap(flatten(mapping(flinkConf().resolve("config.yaml"))));
        conf.addAll(
                Configuration.fromMap(
                        flatten(mapping(k8s().resolve("base/flink-properties.yaml")))));

        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);

        assertThat(spec.getTotalProcessMemorySize()).isEqualTo(podMemoryLimit());
        assertThat(perSlot(spec)).isGreaterThanOrEqualTo(PER_SLOT_FOR_A_MILLION_SESSIONS);
        assertThat(spec.getTaskHeapSize())
                .as("heap left to the job")
                .isGreaterThan(MemorySize.parse("2g"));
    }

    @Test
    void theOperatorsTaskManagersDoTheSame() {
        Map<String, Object> deployment = mapping(k8s().resolve("operator/flinkdeployment.yaml"));
        Configuration conf =
                Configuration.fromMap(
                        flatten((Map<?, ?>) get(deployment, "spec", "flinkConfiguration")));
        conf.set(
                TaskManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(string(deployment, "spec", "taskManager", "resource", "memory")));

        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);

        assertThat(perSlot(spec)).isGreaterThanOrEqualTo(PER_SLOT_FOR_A_MILLION_SESSIONS);
        assertThat(spec.getTaskHeapSize()).isGreaterThan(MemorySize.parse("2g"));
    }

    @Test
    void aLocalFlinkGetsRocksDbMemoryPerSlotUnlessTheUserSizesIt() {
        assertThat(
                        LocalMemory.sized(new Configuration(), 2)
                                .get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
                .isEqualTo(LocalMemory.PER_SLOT.multiply(2));

        Configuration user = new Configuration();
        user.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("3g"));
        assertThat(LocalMemory.sized(user, 2).get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
                .isEqualTo(MemorySize.parse("3g"));

        Configuration fraction = new Configuration();
        fraction.set(TaskManagerOptions.MANAGED_MEMORY_FRACTION, 0.5f);
        assertThat(LocalMemory.sized(fraction, 2).contains(TaskManagerOptions.MANAGED_MEMORY_SIZE))
                .isFalse();
    }

    private static MemorySize perSlot(TaskExecutorProcessSpec spec) {
        return spec.getManagedMemorySize().divide(spec.getNumSlots());
    }

    /** The TaskManager container's memory limit in k8s/base. */
    private static MemorySize podMemoryLimit() {
        Object deployment = documents(k8s().resolve("base/taskmanager-deployment.yaml")).get(0);
        for (Object container : list(deployment, "spec", "template", "spec", "containers")) {
            if ("taskmanager".equals(string(container, "name"))) {
                String limit = string(container, "resources", "limits", "memory");
                return MemorySize.parse(limit.replace("Gi", "g").replace("Mi", "m"));
            }
        }
        throw new AssertionError("no taskmanager container in taskmanager-deployment.yaml");
    }
}
