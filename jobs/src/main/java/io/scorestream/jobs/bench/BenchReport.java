package io.scorestream.jobs.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints the results: a Markdown table, one BENCH line per case, one DRAIN line per Kafka case, one
 * RATIO line per model.
 */
final class BenchReport {

    private BenchReport() {}

    static void print(
            List<BenchResult> results,
            List<Drain> drains,
            List<String> models,
            int maxBatchSize,
            PrintStream out) {
        out.println();
        out.println("| case | model | rows/s | p50 ms | p99 ms | latency is |");
        out.println("|---|---|---:|---:|---:|---|");
        for (BenchResult r : results) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %s | %s | %s |%n",
                    r.caseName(),
                    r.model(),
                    r.rowsPerSecond(),
                    BenchResult.millis(r.p50Millis()),
                    BenchResult.millis(r.p99Millis()),
                    r.note());
        }
        out.println();
        results.forEach(r -> out.println(r.benchLine()));
        drains.forEach(d -> out.println(d.line()));
        for (String model : models) {
            double scorestream = rate(results, "scorestream", model);
            double bare = bareAt(results, model, maxBatchSize);
            double naive = rate(results, "naive", model);
            double kafka = rate(results, "scorestream-kafka", model);
            double passthrough = rate(results, "passthrough-kafka", model);
            double ordered = rate(results, "scorestream-kafka-ordered", model);
            double peer = rate(results, "peer-python", model);
            double decay =
                    drains.stream()
                            .filter(
                                    d ->
                                            d.caseName().equals("scorestream-kafka")
                                                    && d.model().equals(model))
                            .mapToDouble(Drain::decayPercent)
                            .findFirst()
                            .orElse(Double.NaN);
            out.printf(
                    Locale.ROOT,
                    "RATIO model=%s vs_bare=%.2f vs_naive=%.2f kafka_vs_passthrough=%.2f"
                            + " kafka_vs_peer=%.2f per_key_vs_unordered=%.2f kafka_decay_pct=%.1f%n",
                    model,
                    scorestream / bare,
                    scorestream / naive,
                    kafka / passthrough,
                    kafka / peer,
                    ordered / kafka,
                    decay);
        }
    }

    private static double rate(List<BenchResult> results, String caseName, String model) {
        return find(results, caseName, model).map(BenchResult::rowsPerSecond).orElse(Double.NaN);
    }

    /** Bare throughput at the engine's max batch size, or the largest measured size below it. */
    private static double bareAt(List<BenchResult> results, String model, int maxBatchSize) {
        double best = Double.NaN;
        int bestSize = 0;
        for (BenchResult r : results) {
            if (r.model().equals(model) && r.caseName().startsWith("bare-b")) {
                int size = Integer.parseInt(r.caseName().substring("bare-b".length()));
                if (size <= maxBatchSize && size > bestSize) {
                    bestSize = size;
                    best = r.rowsPerSecond();
                }
            }
        }
        return best;
    }

    private static Optional<BenchResult> find(
            List<BenchResult> results, String caseName, String model) {
        return results.stream()
                .filter(r -> r.caseName().equals(caseName) && r.model().equals(model))
                .findFirst();
    }
}
