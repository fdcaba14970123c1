package io.scorestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.config.ConfigurationReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README true: its quick start, its configuration reference, and CI agree with the code.
 */
class ReadmeTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void opensWithTheDemoAndTheTestCommand() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        int fence = lines.indexOf("```bash");
        assertThat(fence).as("a bash block near the top").isBetween(0, 10);
        assertThat(lines.get(fence + 1)).startsWith("bin/scorestream demo ");
        assertThat(lines.get(fence + 2)).startsWith("mvn -B verify ");
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run"));
        assertThat(ci).contains("mvn -B verify");
    }

    @Test
    void configurationReferenceMatchesTheDeclaredOptions() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String start = "<!-- configuration-reference:start -->\n";
        String end = "<!-- configuration-reference:end -->";
        String table =
                readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));

        assertThat(table)
                .as("README table; regenerate it with bin/scorestream config")
                .isEqualTo(ConfigurationReference.markdownTable());
    }
}
