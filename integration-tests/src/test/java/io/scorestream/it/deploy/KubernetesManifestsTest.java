package io.scorestream.it.deploy;

import static io.scorestream.it.deploy.DeploymentFiles.documents;
import static io.scorestream.it.deploy.DeploymentFiles.flinkConf;
import static io.scorestream.it.deploy.DeploymentFiles.flinkVersion;
import static io.scorestream.it.deploy.DeploymentFiles.get;
import static io.scorestream.it.deploy.DeploymentFiles.k8s;
import static io.scorestream.it.deploy.DeploymentFiles.list;
import static io.scorestream.it.deploy.DeploymentFiles.mapping;
import static io.scorestream.it.deploy.DeploymentFiles.read;
import static io.scorestream.it.deploy.DeploymentFiles.root;
import static io.scorestream.it.deploy.DeploymentFiles.string;
import static io.scorestream.it.deploy.DeploymentFiles.yamlFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes files without a cluster: every manifest parses; every kustomization refers to
 * files and resources that exist (checked in Java, so no kustomize binary is needed); where {@code
 * kubectl} is installed, each overlay is rendered and its result checked; images match the pinned
 * Flink.
 */
class KubernetesManifestsTest {

    private static final List<String> OVERLAYS = List.of("cpu", "gpu");

    @Test
    void everyYamlFileParsesAndEveryObjectIsNamed() {
        List<Path> files = new ArrayList<>(yamlFiles(k8s()));
        files.add(flinkConf().resolve("kustomization.yaml"));
        files.add(flinkConf().resolve("config.yaml"));
        assertThat(files).hasSizeGreaterThan(12);
        for (Path file : files) {
            List<Object> documents = documents(file);
            assertThat(documents).as("documents in %s", file).isNotEmpty();
            for (Object document : documents) {
                if (get(document, "kind") != null && !isKustomization(document)) {
                    assertThat(string(document, "apiVersion"))
                            .as("apiVersion in %s", file)
                            .isNotBlank();
                    assertThat(string(document, "metadata", "name"))
                            .as("name in %s", file)
                            .isNotBlank();
                }
            }
        }
    }

    @Test
    void kustomizationsReferToFilesAndResourcesThatExist() {
        for (Path kustomization : kustomizations()) {
            Path dir = kustomization.getParent();
            Map<String, Object> spec = mapping(kustomization);
            for (Object resource : list(spec, "resources")) {
                Path target = dir.resolve(String.valueOf(resource)).normalize();
                assertThat(
                                Files.isRegularFile(target)
                                        || Files.isRegularFile(
                                                target.resolve("kustomization.yaml")))
                        .as("%s: resource %s", kustomization, resource)
                        .isTrue();
            }
            for (Object generator : list(spec, "configMapGenerator")) {
                for (Object file : list(generator, "files")) {
                    String source = String.valueOf(file).replaceFirst("^[^=]+=", "");
                    assertThat(dir.resolve(source))
                            .as("%s: generator file %s", kustomization, source)
                            .isRegularFile();
                    assertThat(dir.resolve(source).normalize()).startsWith(dir);
                }
            }
            Set<String> objects = objectsBuiltBy(dir);
            for (Object patch : list(spec, "patches")) {
                assertThat(dir.resolve(string(patch, "path"))).isRegularFile();
                String target =
                        string(patch, "target", "kind") + "/" + string(patch, "target", "name");
                assertThat(objects).as("%s: patch target", kustomization).contains(target);
            }
        }
        for (String overlay : OVERLAYS) {
            assertThat(
                            list(
                                    mapping(
                                            k8s().resolve(
                                                            "overlays/"
                                                                    + overlay
                                                                    + "/kustomization.yaml")),
                                    "resources"))
                    .containsExactly("../../base");
        }
        // The ConfigMap is made from the very config.yaml the project tests.
        assertThat(list(mapping(k8s().resolve("base/kustomization.yaml")), "resources"))
                .contains("../../flink-conf");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "gpu"})
    void eachOverlayRendersACompleteReactiveDeployment(String overlay) throws Exception {
        List<Object> rendered = render(k8s().resolve("overlays/" + overlay));
        Map<String, Object> byKindAndName = new java.util.HashMap<>();
        for (Object object : rendered) {
            byKindAndName.put(
                    string(object, "kind") + "/" + string(object, "metadata", "name"), object);
        }
        assertThat(
                        byKindAndName.keySet().stream()
                                .map(k -> k.substring(0, k.indexOf('/')))
                                .toList())
                .contains(
                        "Deployment",
                        "Service",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget",
                        "ConfigMap",
                        "PersistentVolumeClaim",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding")
                .doesNotContain("Secret");

        Object config = find(rendered, "ConfigMap", "scorestream-flink-config");
        assertThat(string(config, "data", "config.yaml"))
                .isEqualTo(read(flinkConf().resolve("config.yaml")));

        Object jobManager = find(rendered, "Deployment", "scorestream-jobmanager");
        Object taskManager = find(rendered, "Deployment", "scorestream-taskmanager");
        assertReferencesResolve(jobManager, byKindAndName);
        assertReferencesResolve(taskManager, byKindAndName);
        assertThat(list(jobManager, "spec", "template", "spec", "containers", 0, "args"))
                .startsWith(
                        "standalone-job", "--job-classname", "io.scorestream.jobs.ScoringJobMain");
        assertThat(string(find(rendered, "ConfigMap", "scorestream-job"), "data", "MODEL_DEVICE"))
                .isEqualTo(overlay);

        Object tmSpec = get(taskManager, "spec", "template", "spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> limits =
                (Map<String, Object>) get(tmSpec, "containers", 0, "resources", "limits");
        if (overlay.equals("gpu")) {
            assertThat(limits).containsEntry("nvidia.com/gpu", 1);
            assertThat(string(tmSpec, "nodeSelector", "nvidia.com/gpu.present")).isEqualTo("true");
            assertThat(list(tmSpec, "tolerations"))
                    .anySatisfy(t -> assertThat(string(t, "key")).isEqualTo("nvidia.com/gpu"));
        } else {
            assertThat(limits).doesNotContainKey("nvidia.com/gpu");
            assertThat(get(tmSpec, "nodeSelector")).isNull();
            assertThat(get(tmSpec, "tolerations")).isNull();
            assertThat(list(tmSpec, "containers", 0, "args")).contains("-Dexternal-resources=");
        }

        Object hpa = find(rendered, "HorizontalPodAutoscaler", "scorestream-taskmanager");
        assertThat(string(hpa, "spec", "scaleTargetRef", "name"))
                .isEqualTo("scorestream-taskmanager");
        assertThat(list(hpa, "spec", "metrics").stream().map(m -> string(m, "type")))
                .containsExactlyInAnyOrder("Resource", "Pods");
        Object pdb = find(rendered, "PodDisruptionBudget", "scorestream-taskmanager");
        assertThat((Map<?, ?>) get(pdb, "spec", "selector", "matchLabels"))
                .isEqualTo(get(taskManager, "spec", "selector", "matchLabels"));

        for (Object object : rendered) {
            for (String image : images(object)) {
                assertThat(image)
                        .as("image of %s", string(object, "metadata", "name"))
                        .endsWith("-flink" + flinkVersion() + "-" + overlay);
            }
        }
    }

    @Test
    void imagesMatchThePinnedFlinkVersion() throws IOException {
        String dockerfile = read(k8s().resolve("Dockerfile"));
        Matcher base = Pattern.compile("(?m)^ARG FLINK_IMAGE=flink:(\\S+)$").matcher(dockerfile);
        assertThat(base.find()).as("ARG FLINK_IMAGE=flink:<tag>").isTrue();
        assertThat(base.group(1)).isEqualTo(flinkVersion() + "-scala_2.12-java17");
        assertThat(dockerfile)
                .contains(
                        "FROM ${FLINK_IMAGE} AS common",
                        "FROM common AS cpu",
                        "FROM common AS gpu");

        // Every image tag in k8s/ names the pinned Flink version.
        Pattern tag = Pattern.compile("(?m)(?:image|newTag):\\s*(\\S+)");
        for (Path file : yamlFiles(k8s())) {
            Matcher m = tag.matcher(read(file));
            while (m.find()) {
                if (!m.group(1).equals("scorestream")) {
                    assertThat(m.group(1))
                            .as("image tag in %s", file)
                            .contains("flink" + flinkVersion());
                }
            }
        }
        String[] version = flinkVersion().split("\\.");
        assertThat(
                        string(
                                mapping(k8s().resolve("operator/flinkdeployment.yaml")),
                                "spec",
                                "flinkVersion"))
                .isEqualTo("v" + version[0] + "_" + version[1]);
    }

    @Test
    void theDockerfileCopiesWhatTheBuildMakes() {
        String dockerfile = read(k8s().resolve("Dockerfile"));
        String clusterPom = read(flinkConf().resolve("cluster/pom.xml"));
        Matcher djl =
                Pattern.compile("flink-conf/cluster/target/djl/lib/([a-z_-]+?)-\\*\\.jar")
                        .matcher(dockerfile);
        Set<String> copied = new HashSet<>();
        while (djl.find()) {
            copied.add(djl.group(1));
        }
        Matcher declared =
                Pattern.compile("<djl.artifacts>([^<]+)</djl.artifacts>").matcher(clusterPom);
        assertThat(declared.find()).isTrue();
        assertThat(copied).containsExactlyInAnyOrder(declared.group(1).split(","));
        assertThat(dockerfile).contains("jobs/target/scorestream-jobs-*-job.jar");
        assertThat(read(root().resolve("jobs/pom.xml")))
                .contains("<shadedClassifierName>job</shadedClassifierName>");
        assertThat(root().resolve("models")).isDirectory();
        assertThat(dockerfile).contains("/opt/flink/usrlib/", "/opt/scorestream/models/");
        assertThat(read(k8s().resolve("operator/flinkdeployment.yaml")))
                .contains(
                        "local:///opt/flink/usrlib/scorestream-job.jar", "/opt/scorestream/models");
    }

    // ---------------------------------------------------------------------------------------

    private static boolean isKustomization(Object document) {
        return "Kustomization".equals(string(document, "kind"));
    }

    private static List<Path> kustomizations() {
        List<Path> found = new ArrayList<>();
        for (Path file : yamlFiles(k8s())) {
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                found.add(file);
            }
        }
        found.add(flinkConf().resolve("kustomization.yaml"));
        return found;
    }

    /** kind/name of every object a kustomization directory and what it includes declare. */
    private static Set<String> objectsBuiltBy(Path dir) {
        Set<String> objects = new HashSet<>();
        Map<String, Object> spec = mapping(dir.resolve("kustomization.yaml"));
        for (Object resource : list(spec, "resources")) {
            Path target = dir.resolve(String.valueOf(resource)).normalize();
            if (Files.isDirectory(target)) {
                objects.addAll(objectsBuiltBy(target));
            } else {
                for (Object document : documents(target)) {
                    objects.add(
                            string(document, "kind") + "/" + string(document, "metadata", "name"));
                }
            }
        }
        for (Object generator : list(spec, "configMapGenerator")) {
            objects.add("ConfigMap/" + string(generator, "name"));
        }
        return objects;
    }

    /**
     * Renders a kustomization with kubectl's built-in kustomize; skipped where kubectl is missing.
     */
    static List<Object> render(Path kustomization) throws IOException, InterruptedException {
        Process process;
        try {
            process =
                    new ProcessBuilder("kubectl", "kustomize", kustomization.toString())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            assumeTrue(false, "kubectl is not installed: the Java structure checks stand alone");
            throw e;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("kubectl kustomize %s:%n%s", kustomization, output)
                .isZero();
        return documents(output);
    }

    private static Object find(List<Object> objects, String kind, String namePrefix) {
        return objects.stream()
                .filter(o -> kind.equals(string(o, "kind")))
                .filter(o -> string(o, "metadata", "name").startsWith(namePrefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + namePrefix + "*"));
    }

    /**
     * Every ConfigMap, PVC and ServiceAccount a pod refers to exists; the Kafka Secret is mounted.
     */
    private static void assertReferencesResolve(Object deployment, Map<String, Object> objects) {
        Object pod = get(deployment, "spec", "template", "spec");
        assertThat(objects).containsKey("ServiceAccount/" + string(pod, "serviceAccountName"));
        boolean kafkaSecret = false;
        for (Object volume : list(pod, "volumes")) {
            if (get(volume, "configMap") != null) {
                assertThat(objects).containsKey("ConfigMap/" + string(volume, "configMap", "name"));
            }
            if (get(volume, "persistentVolumeClaim") != null) {
                assertThat(objects)
                        .containsKey(
                                "PersistentVolumeClaim/"
                                        + string(volume, "persistentVolumeClaim", "claimName"));
            }
            if ("scorestream-kafka".equals(string(volume, "secret", "secretName"))) {
                kafkaSecret = true;
            }
        }
        assertThat(kafkaSecret).as("Kafka credentials mounted from the Secret").isTrue();
        for (Object container : list(pod, "containers")) {
            for (Object env : list(container, "env")) {
                String ref = string(env, "valueFrom", "configMapKeyRef", "name");
                if (ref != null) {
                    assertThat(objects).containsKey("ConfigMap/" + ref);
                }
                assertThat(string(env, "name")).doesNotContainIgnoringCase("password");
            }
            for (Object envFrom : list(container, "envFrom")) {
                assertThat(objects)
                        .containsKey("ConfigMap/" + string(envFrom, "configMapRef", "name"));
            }
            assertThat(list(container, "volumeMounts"))
                    .anySatisfy(
                            m ->
                                    assertThat(string(m, "mountPath"))
                                            .isEqualTo("/etc/scorestream/kafka"));
        }
    }

    private static List<String> images(Object object) {
        List<String> images = new ArrayList<>();
        for (String containers : List.of("containers", "initContainers")) {
            for (Object container : list(object, "spec", "template", "spec", containers)) {
                images.add(string(container, "image"));
            }
        }
        return images;
    }
}
