package io.scorestream.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.bench.BenchOptions;
import io.scorestream.jobs.bench.BenchRunner;
import io.scorestream.operators.testing.ReferenceModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code scorestream bench --quick} as CI runs it: every case runs and reports in the promised
 * format. Speed is not asserted here; the figures are measured by the full benchmark.
 */
class BenchSmokeITCase {

    private static final Pattern BENCH =
            Pattern.compile(
                    "^BENCH case=(\\S+) model=fraud-mlp rows_per_s=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+)$",
                    Pattern.MULTILINE);
    private static final Pattern PADDING =
            Pattern.compile(
                    "^PADDING model=fraud-mlp rows=(\\d+) call_ms=[0-9.]+ padded_to=(\\d+)"
                            + " padded_call_ms=[0-9.]+ helps=(true|false)$",
                    Pattern.MULTILINE);

    private static final Pattern RATIO =
            Pattern.compile(
                    "^RATIO model=fraud-mlp vs_bare=([0-9.]+) vs_naive=([0-9.]+) kafka_vs_passthrough=([0-9.]+)"
                            + " kafka_vs_peer=([0-9.]+|NaN) per_key_vs_unordered=([0-9.]+)"
                            + " kafka_decay_pct=(-?[0-9.]+)$",
                    Pattern.MULTILINE);
    private static final Pattern DRAIN =
            Pattern.compile(
                    "^DRAIN case=(\\S+) model=fraud-mlp events=20000 sessions=(\\d+)"
                            + " open_sessions=2000 steady_eps=[0-9]+ first_tenth_eps=[0-9]+"
                            + " last_tenth_eps=[0-9]+ decay_pct=-?[0-9.]+ state_keys=(-?\\d+)"
                            + " state_live_mb=-?\\d+ checkpoint_mb=-?\\d+ peak_rss_mb=(-?\\d+)"
                            + " tenths_eps=[0-9,]+$",
                    Pattern.MULTILINE);
    private static final Pattern PEER_SKIPPED =
            Pattern.compile("^PEER skipped model=fraud-mlp: .+$", Pattern.MULTILINE);

    @Test
    void quickRunReportsEveryCase() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        BenchOptions options =
                BenchOptions.parse(
                        List.of(
                                "--quick",
                                "--models",
                                "fraud-mlp",
                                "--models-dir",
                                ReferenceModels.root().toString(),
                                "--peer",
                                ReferenceModels.root().resolveSibling("bench/peer.sh").toString()));

        int exit =
                new BenchRunner(options, new PrintStream(captured, true, StandardCharsets.UTF_8))
                        .run();

        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(output).contains("| case | model | rows/s | p50 ms | p99 ms |");
        Matcher bench = BENCH.matcher(output);
        java.util.Set<String> cases = new java.util.HashSet<>();
        while (bench.find()) {
            cases.add(bench.group(1));
            assertThat(Double.parseDouble(bench.group(2))).as(bench.group()).isPositive();
        }
        assertThat(cases)
                .contains(
                        "bare-b1",
                        "bare-b8",
                        "bare-b32",
                        "bare-b64",
                        "bare-b128",
                        "bare-b256",
                        "naive",
                        "scorestream",
                        "kafka-copy",
                        "passthrough-kafka",
                        "scorestream-kafka",
                        "scorestream-kafka-ordered");
        Matcher ratio = RATIO.matcher(output);
        assertThat(ratio.find()).as("a RATIO line with every ratio").isTrue();
        Matcher drain = DRAIN.matcher(output);
        java.util.Set<String> drains = new java.util.HashSet<>();
        while (drain.find()) {
            drains.add(drain.group(1));
            assertThat(Long.parseLong(drain.group(2)))
                    .as("sessions of %s: more than the 2 000 open at once", drain.group(1))
                    .isGreaterThan(2_000);
            if (drain.group(1).equals("scorestream-kafka")) {
                // Flink refreshes RocksDB's figures every 5 s, so a quick run may still read 0;
                // -1 would mean the figures were not found.
                assertThat(Long.parseLong(drain.group(3)))
                        .as("RocksDB's estimate of the session keys")
                        .isNotNegative();
            }
            if (drain.group(1).equals("peer-python")) {
                assertThat(Long.parseLong(drain.group(4))).as("the peer's memory").isPositive();
            }
        }
        assertThat(drains)
                .as("a DRAIN line per Kafka case")
                .contains(
                        "kafka-copy",
                        "passthrough-kafka",
                        "scorestream-kafka",
                        "scorestream-kafka-ordered");
        // The peer runs where Debian's packages are (or can be) installed, and says why not else.
        assertThat(cases.contains("peer-python") || PEER_SKIPPED.matcher(output).find())
                .as("the peer ran or said why it was skipped")
                .isTrue();
        if (cases.contains("peer-python")) {
            assertThat(drains).contains("peer-python");
        }
        Matcher padding = PADDING.matcher(output);
        java.util.Set<String> padded = new java.util.HashSet<>();
        while (padding.find()) {
            padded.add(padding.group(1) + "->" + padding.group(2));
        }
        assertThat(padded)
                .as("a PADDING line per uneven batch size")
                .contains("5->8", "24->32", "48->64", "96->128", "192->256");
    }
}
