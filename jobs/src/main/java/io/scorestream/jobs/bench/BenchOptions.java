package io.scorestream.jobs.bench;

import io.scorestream.jobs.config.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Options of {@code scorestream bench}.
 *
 * @param quick a short smoke run (figures are rough)
 * @param models reference models to measure
 * @param maxBatchSize the engine's max batch size (vs_bare compares with bare at this size)
 * @param parallelism parallelism of the Flink jobs (one TaskManager with as many slots)
 * @param modelRepository the model repository folder
 */
public record BenchOptions(
        boolean quick,
        List<String> models,
        int maxBatchSize,
        int parallelism,
        Path modelRepository) {

    public static final String USAGE =
            """
            Usage: scorestream bench [options]
              --quick                 a short smoke run of every case (figures are rough)
              --models <a,b>          models to measure (default fraud-mlp,intent-gru)
              --max-batch-size <n>    the engine's max batch size (default 64)
              --parallelism <n>       Flink parallelism (default 2)
              --models-dir <dir>      model repository (default models)
            """;

    public static BenchOptions parse(List<String> args) {
        boolean quick = false;
        List<String> models = List.of("fraud-mlp", "intent-gru");
        int maxBatchSize = 64;
        int parallelism = 2;
        Path repository = Path.of("models");
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--quick")) {
                quick = true;
                continue;
            }
            if (rest.isEmpty()) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--models" -> models = Arrays.asList(value.split(","));
                case "--max-batch-size" -> maxBatchSize = positive(flag, value);
                case "--parallelism" -> parallelism = positive(flag, value);
                case "--models-dir" -> repository = Path.of(value);
                default -> throw new UsageException("unknown option " + flag + "\n" + USAGE);
            }
        }
        return new BenchOptions(quick, List.copyOf(models), maxBatchSize, parallelism, repository);
    }

    private static int positive(String flag, String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(flag + " must be a positive whole number, got '" + value + "'");
    }
}
