package io.scorestream.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar (jobs, classifier {@code job}) holds the job and what a Flink cluster lacks,
 * and nothing the cluster provides or must provide itself (Flink, logging, DJL with its PyTorch and
 * ONNX Runtime engines and their natives: see {@link OnnxRuntimeDeploymentTest}), nor the demo's
 * Kafka broker.
 */
class JobJarTest {

    @Test
    void holdsTheJobAndItsConnectorsButNotTheClustersJars() throws IOException {
        Path jar = Path.of(System.getProperty("scorestream.job.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> entries =
                    Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.scorestream.jobs.ScoringJobMain");
            assertThat(entries)
                    .contains(
                            "io/scorestream/jobs/ScoringJobMain.class",
                            "io/scorestream/operators/inference/InferenceFunction.class",
                            "io/scorestream/model/ModelLoader.class",
                            "io/scorestream/schemas/InferenceEvent.class",
                            "org/apache/flink/connector/kafka/source/KafkaSource.class",
                            "org/apache/flink/formats/avro/AvroDeserializationSchema.class",
                            "org/apache/kafka/clients/producer/KafkaProducer.class",
                            "org/apache/avro/Schema.class");
            assertThat(entries)
                    .noneMatch(e -> e.startsWith("ai/djl/"))
                    .noneMatch(e -> e.startsWith("com/sun/jna/"))
                    .noneMatch(e -> e.startsWith("pytorch/") || e.startsWith("native/lib/"))
                    // ONNX Runtime's classes and its native libraries (ai/onnxruntime/native/).
                    .noneMatch(e -> e.startsWith("ai/onnxruntime/"))
                    .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                    .noneMatch(e -> e.startsWith("org/slf4j/"))
                    .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                    .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/"))
                    .noneMatch(e -> e.startsWith("kafka/server/") || e.startsWith("scala/"))
                    .noneMatch(e -> e.startsWith("org/apache/kafka/common/test/"))
                    .noneMatch(e -> e.startsWith("io/scorestream/jobs/embedded/"))
                    .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
            ZipEntry services =
                    file.getEntry("META-INF/services/org.apache.flink.core.fs.FileSystemFactory");
            assertThat(services).as("no Flink file systems are bundled").isNull();
        }
    }
}
