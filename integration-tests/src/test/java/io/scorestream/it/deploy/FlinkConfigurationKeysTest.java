package io.scorestream.it.deploy;

import static io.scorestream.it.deploy.DeploymentFiles.documents;
import static io.scorestream.it.deploy.DeploymentFiles.flatten;
import static io.scorestream.it.deploy.DeploymentFiles.flinkConf;
import static io.scorestream.it.deploy.DeploymentFiles.get;
import static io.scorestream.it.deploy.DeploymentFiles.k8s;
import static io.scorestream.it.deploy.DeploymentFiles.list;
import static io.scorestream.it.deploy.DeploymentFiles.mapping;
import static io.scorestream.it.deploy.DeploymentFiles.string;
import static io.scorestream.it.deploy.DeploymentFiles.yamlFiles;
import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.config.ScoringOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every Flink key we ship is a real, non-deprecated Flink 2.2 option whose value Flink accepts:
 * flink-conf/config.yaml, the Kubernetes-only settings (FLINK_PROPERTIES), the operator's
 * flinkConfiguration, {@code -Dkey=value} and {@code --key value} arguments in the manifests and
 * overlay patches. {@code scorestream.*} keys must be ScoreStream settings.
 */
class FlinkConfigurationKeysTest {

    /**
     * The GPU driver's own parameters (GPUDriverOptions of flink-external-resource-gpu). That
     * plugin is in the Flink distribution's plugins/ but not resolvable from Maven Central for 2.2
     * (its parent POM is not published), so its options cannot be found by reflection here.
     */
    private static final Set<String> GPU_DRIVER_PARAMETERS =
            Set.of("discovery-script.path", "discovery-script.args");

    /** Options of the entry point (StandaloneApplicationClusterEntryPoint), not configuration. */
    private static final Set<String> ENTRYPOINT_OPTIONS =
            Set.of("job-classname", "jars", "job-id", "fromSavepoint", "allowNonRestoredState");

    private static FlinkOptionCatalog catalog;

    @BeforeAll
    static void scanFlink() {
        catalog = FlinkOptionCatalog.fromClasspath();
    }

    @Test
    void theCatalogKnowsFlinkAndCatchesTyposAndDeprecatedKeys() {
        assertThat(catalog.size()).as("options found by reflection").isGreaterThan(500);
        assertThat(problems(Map.of("heartbeat.timeout", "10 s", "kubernetes.cluster-id", "x")))
                .isEmpty();
        assertThat(
                        problems(
                                Map.of(
                                        "jobmanager.adaptive-scheduler.resource-stabilisation-timeout",
                                        "1 s")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("not a Flink 2.2 option");
        assertThat(
                        problems(
                                Map.of(
                                        "jobmanager.adaptive-scheduler.resource-stabilization-timeout",
                                        "1 s")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("deprecated");
        assertThat(problems(Map.of("heartbeat.timeout", "soon")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("invalid value");
        assertThat(problems(Map.of("scorestream.model.nmae", "x")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("not a ScoreStream setting");
        assertThat(
                        problems(
                                Map.of(
                                        "metrics.reporter.prom.factory.class",
                                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                                        "metrics.reporter.prom.prot",
                                        "9249")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("metrics.reporter.prom.prot");
    }

    @Test
    void configYamlHasOnlyRealFlinkOptions() {
        Map<String, String> conf = flatten(mapping(flinkConf().resolve("config.yaml")));
        assertThat(conf)
                .containsEntry("scheduler-mode", "reactive")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsKeys(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "restart-strategy.type",
                        "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout",
                        "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling",
                        "heartbeat.timeout",
                        "metrics.reporter.prom.factory.class",
                        "external-resource.gpu.amount",
                        "classloader.parent-first-patterns.additional");
        assertThat(problems(conf)).isEmpty();
    }

    @Test
    void kubernetesFlinkPropertiesAreRealFlinkOptions() {
        Map<String, String> properties =
                flatten(mapping(k8s().resolve("base/flink-properties.yaml")));
        assertThat(properties).containsEntry("high-availability.type", "kubernetes");
        assertThat(problems(properties)).isEmpty();
    }

    @Test
    void theOperatorsFlinkConfigurationHasOnlyRealFlinkOptions() {
        Map<String, Object> deployment = mapping(k8s().resolve("operator/flinkdeployment.yaml"));
        Map<?, ?> configuration = (Map<?, ?>) get(deployment, "spec", "flinkConfiguration");
        Map<String, String> conf = flatten(configuration);
        assertThat(conf).containsEntry("scheduler-mode", "reactive");
        assertThat(problems(conf)).isEmpty();
    }

    @Test
    void everyKeyPassedAsAnArgumentIsARealOption() {
        Map<String, String> arguments = new TreeMap<>();
        for (Path file : yamlFiles(k8s())) {
            for (Object document : documents(file)) {
                arguments.putAll(argumentKeys(containerArguments(document)));
                arguments.putAll(argumentKeys(list(document, "spec", "job", "args")));
            }
        }
        assertThat(arguments)
                .as("keys passed on command lines in k8s/")
                .containsKeys(
                        "scorestream.kafka.bootstrap-servers",
                        "scorestream.kafka.properties",
                        "scorestream.model.device",
                        "scorestream.inference.max-batch-size",
                        "external-resources");
        assertThat(problems(arguments)).isEmpty();
    }

    /** Arguments of every container of a workload, and the values a JSON patch adds to args. */
    static List<Object> containerArguments(Object document) {
        List<Object> arguments = new ArrayList<>();
        if (document instanceof List<?> patch) {
            for (Object operation : patch) {
                String path = string(operation, "path");
                Object value = get(operation, "value");
                if (path != null && path.contains("/args")) {
                    if (value instanceof List<?> values) {
                        arguments.addAll(values);
                    } else if (value != null) {
                        arguments.add(value);
                    }
                }
            }
            return arguments;
        }
        for (String containers : List.of("containers", "initContainers")) {
            for (Object container : list(document, "spec", "template", "spec", containers)) {
                arguments.addAll(list(container, "args"));
            }
        }
        return arguments;
    }

    /** {@code --key value} and {@code -Dkey=value} pairs of an argument list. */
    static Map<String, String> argumentKeys(List<Object> arguments) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = String.valueOf(arguments.get(i));
            if (argument.startsWith("-D") && argument.contains("=")) {
                int eq = argument.indexOf('=');
                keys.put(argument.substring(2, eq), argument.substring(eq + 1));
            } else if (argument.startsWith("--")) {
                String key = argument.substring(2);
                String value = i + 1 < arguments.size() ? String.valueOf(arguments.get(i + 1)) : "";
                if (!ENTRYPOINT_OPTIONS.contains(key)) {
                    keys.put(key, value);
                }
                i++;
            }
        }
        return keys;
    }

    /** What is wrong with each key (and, for typed Flink options, its value). */
    static List<String> problems(Map<String, String> conf) {
        Set<String> scoreStreamKeys =
                ScoringOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        conf.forEach(
                (key, value) -> {
                    if (key.startsWith("scorestream.")) {
                        if (!scoreStreamKeys.contains(key)) {
                            problems.add(key + " is not a ScoreStream setting");
                        }
                        return;
                    }
                    if (key.startsWith("metrics.reporter.")) {
                        if (!catalog.isReporterKey(key, conf)) {
                            problems.add(key + " is not an option of reporter or its factory");
                        }
                        return;
                    }
                    if (key.matches("external-resource\\.gpu\\.param\\..+")) {
                        String parameter = key.substring("external-resource.gpu.param.".length());
                        if (!GPU_DRIVER_PARAMETERS.contains(parameter)) {
                            problems.add(key + " is not a parameter of Flink's GPU driver");
                        }
                        return;
                    }
                    var declared = catalog.find(key);
                    if (declared.isEmpty()) {
                        problems.add(
                                key
                                        + " is not a Flink 2.2 option (near: "
                                        + catalog.near(key)
                                        + ")");
                    } else if (declared.get().deprecated()) {
                        problems.add(
                                key
                                        + " is deprecated in Flink 2.2 ("
                                        + declared.get().declaredBy()
                                        + ")");
                    } else if (!key.contains("<") && declared.get().key().equals(key)) {
                        checkValue(declared.get().option(), key, value, problems);
                    }
                });
        return problems;
    }

    private static void checkValue(
            ConfigOption<?> option, String key, String value, List<String> problems) {
        if (value.contains("${") || value.contains("$(")) {
            return; // substituted at run time (envsubst, Kubernetes)
        }
        try {
            Configuration.fromMap(Map.of(key, value)).get(option);
        } catch (RuntimeException e) {
            problems.add(key + ": invalid value '" + value + "' (" + e.getMessage() + ")");
        }
    }
}
