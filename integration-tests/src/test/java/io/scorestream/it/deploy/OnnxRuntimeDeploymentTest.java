package io.scorestream.it.deploy;

import static io.scorestream.it.deploy.DeploymentFiles.flatten;
import static io.scorestream.it.deploy.DeploymentFiles.flinkConf;
import static io.scorestream.it.deploy.DeploymentFiles.get;
import static io.scorestream.it.deploy.DeploymentFiles.k8s;
import static io.scorestream.it.deploy.DeploymentFiles.mapping;
import static io.scorestream.it.deploy.DeploymentFiles.read;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.onnxruntime.engine.OrtEngine;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime ({@code scorestream.model.engine: OnnxRuntime}) deploys where DJL does: in Flink's
 * {@code lib/} of the local cluster ({@code flink-conf/cluster/pom.xml}, which {@code
 * bin/scorestream cluster} lays out) and of both images, loaded parent-first; never in the job jar
 * ({@link JobJarTest}).
 */
class OnnxRuntimeDeploymentTest {

    /** DJL's engine and Microsoft's runtime, as the Maven artifacts the job's model loader uses. */
    private static final List<String> ARTIFACTS = List.of("onnxruntime-engine", "onnxruntime");

    @Test
    void theClusterLibHoldsDjlsOnnxRuntimeEngineAndTheRuntime() {
        String clusterPom = read(flinkConf().resolve("cluster/pom.xml"));
        Matcher declared =
                Pattern.compile("<djl.artifacts>([^<]+)</djl.artifacts>").matcher(clusterPom);
        assertThat(declared.find()).isTrue();
        assertThat(Arrays.asList(declared.group(1).split(","))).containsAll(ARTIFACTS);
        assertThat(clusterPom)
                .contains(
                        "<groupId>ai.djl.onnxruntime</groupId>\n"
                                + "      <artifactId>onnxruntime-engine</artifactId>");
        assertThat(read(DeploymentFiles.root().resolve("bin/scorestream-cluster")))
                .as("the cluster's JVMs get the DJL lib folder on their classpath")
                .contains("classpath() { echo \"$FLINK_LIB/*:$DJL_LIB/*\"; }");
    }

    @Test
    void bothImagesCarryOnnxRuntimeInFlinksLib() {
        String dockerfile = read(k8s().resolve("Dockerfile"));
        String common = stage(dockerfile, "common");
        String cpu = stage(dockerfile, "cpu");
        String gpu = stage(dockerfile, "gpu");

        assertThat(common).contains("flink-conf/cluster/target/djl/lib/onnxruntime-engine-*.jar");
        assertThat(cpu)
                .as("the CPU build of ONNX Runtime")
                .contains("flink-conf/cluster/target/djl/lib/onnxruntime-*.jar")
                .contains("/opt/flink/lib/");
        assertThat(gpu).doesNotContain("target/djl/lib/onnxruntime-*.jar");
        Matcher gpuBuild =
                Pattern.compile(
                                "onnxruntime_gpu/(\\d+)\\.(\\d+)\\.(\\d+)/onnxruntime_gpu-\\1\\.\\2\\.\\3\\.jar")
                        .matcher(gpu);
        assertThat(gpuBuild.find()).as("the GPU build of ONNX Runtime from Maven Central").isTrue();
        String[] runtime = runtimeVersion().split("\\.");
        assertThat(gpuBuild.group(1) + "." + gpuBuild.group(2))
                .as("the GPU build's minor version is the one DJL's engine brings")
                .isEqualTo(runtime[0] + "." + runtime[1]);
        assertThat(gpu).contains("/opt/flink/lib/");
    }

    @Test
    void onnxRuntimeIsLoadedParentFirstWhereverFlinkIsConfigured() {
        Map<String, String> config = flatten(mapping(flinkConf().resolve("config.yaml")));
        Object operator =
                get(
                        mapping(k8s().resolve("operator/flinkdeployment.yaml")),
                        "spec",
                        "flinkConfiguration");
        for (String patterns :
                List.of(
                        config.get("classloader.parent-first-patterns.additional"),
                        String.valueOf(
                                ((Map<?, ?>) operator)
                                        .get("classloader.parent-first-patterns.additional")))) {
            List<String> prefixes = Arrays.asList(patterns.split(";"));
            for (Class<?> type : List.of(OrtEngine.class, OrtEnvironment.class)) {
                assertThat(prefixes)
                        .as("a parent-first pattern covers %s", type.getName())
                        .anyMatch(prefix -> type.getName().startsWith(prefix));
            }
        }
    }

    /** The onnxruntime jar's version on the test classpath: the one DJL's engine depends on. */
    private static String runtimeVersion() {
        Path jar =
                Path.of(
                        OrtEnvironment.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .getPath());
        Matcher version =
                Pattern.compile("onnxruntime-(\\d+\\.\\d+\\.\\d+)\\.jar")
                        .matcher(jar.getFileName().toString());
        assertThat(version.matches()).as("onnxruntime jar name %s", jar).isTrue();
        return version.group(1);
    }

    /** The lines of one build stage of a Dockerfile, from its FROM to the next. */
    private static String stage(String dockerfile, String name) {
        Matcher from =
                Pattern.compile("(?m)^FROM \\S+ AS " + Pattern.quote(name) + "$")
                        .matcher(dockerfile);
        assertThat(from.find()).as("stage %s", name).isTrue();
        int next = dockerfile.indexOf("\nFROM ", from.end());
        return dockerfile.substring(from.start(), next < 0 ? dockerfile.length() : next);
    }
}
