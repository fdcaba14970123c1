package io.scorestream.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.bench.BenchOptions;
import io.scorestream.jobs.bench.BenchRunner;
import io.scorestream.operators.testing.ReferenceModels;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's targets for many sessions, measured on this machine (not in the default build:
 * {@code mvn -B -Pbench-targets -pl integration-tests verify}, about 15 minutes on 2 cores, on a
 * quiet machine). fraud-mlp's whole job against Kafka scores at least 1.5 times as many events per
 * second as the Python peer on the same traffic, and a 10 M-event drain of over a million sessions
 * slows by at most 20 % between its first and last tenth. {@code -Dscorestream.bench.decay-events}
 * shortens the drain.
 */
class BenchTargetsIT {

    private static final Pattern RATIO =
            Pattern.compile(
                    "^RATIO model=fraud-mlp .* kafka_vs_peer=(\\S+) .* kafka_decay_pct=(\\S+)$",
                    Pattern.MULTILINE);
    private static final Pattern PEER_SKIPPED =
            Pattern.compile("^PEER skipped model=fraud-mlp: (.+)$", Pattern.MULTILINE);

    @Test
    void scoreStreamAgainstKafkaScoresAtLeastOneAndAHalfTimesThePythonPeer() throws Exception {
        String output = bench("--cases", "scorestream-kafka,peer-python");

        assertThat(PEER_SKIPPED.matcher(output).find()).as("the peer ran").isFalse();
        Matcher ratio = ratio(output);
        assertThat(Double.parseDouble(ratio.group(1)))
                .as("scorestream-kafka / peer-python")
                .isGreaterThanOrEqualTo(1.5);
    }

    @Test
    void tenMillionEventsOfOverAMillionSessionsSlowDownByAtMostTwentyPercent() throws Exception {
        String events = System.getProperty("scorestream.bench.decay-events", "10000000");
        String output = bench("--cases", "scorestream-kafka", "--events", events);

        Matcher ratio = ratio(output);
        assertThat(Double.parseDouble(ratio.group(2)))
                .as("decay between the first and last tenth, %")
                .isLessThanOrEqualTo(20.0);
    }

    private static Matcher ratio(String output) {
        Matcher ratio = RATIO.matcher(output);
        assertThat(ratio.find()).as("a RATIO line in:%n%s", output).isTrue();
        return ratio;
    }

    /** Runs the benchmark on fraud-mlp; its output goes to the console too. */
    private static String bench(String... options) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--models",
                                "fraud-mlp",
                                "--models-dir",
                                ReferenceModels.root().toString(),
                                "--peer",
                                ReferenceModels.root().resolveSibling("bench/peer.sh").toString()));
        args.addAll(List.of(options));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both =
                new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
        assertThat(new BenchRunner(BenchOptions.parse(args), both).run()).isZero();
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
