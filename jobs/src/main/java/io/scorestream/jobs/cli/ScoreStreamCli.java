package io.scorestream.jobs.cli;

import io.scorestream.jobs.bench.BenchOptions;
import io.scorestream.jobs.bench.BenchRunner;
import io.scorestream.jobs.config.ConfigurationReference;
import io.scorestream.jobs.config.InvalidSettingsException;
import io.scorestream.jobs.config.UsageException;
import io.scorestream.jobs.demo.DemoOptions;
import io.scorestream.jobs.demo.DemoRunner;
import io.scorestream.jobs.dlq.DeadLetterReplay;
import io.scorestream.jobs.dlq.ReplayOptions;
import io.scorestream.jobs.local.LocalRun;
import io.scorestream.jobs.local.RunOptions;
import io.scorestream.jobs.rollout.RolloutCommand;
import io.scorestream.jobs.rollout.RolloutOptions;
import java.util.Arrays;
import java.util.List;

/** {@code bin/scorestream <command>}: the one entry point of the launcher. */
public final class ScoreStreamCli {

    static final String USAGE =
            """
            Usage: scorestream <command> [options]
              demo     run the scoring job on an embedded Kafka and a local Flink with synthetic events
              run      run the scoring job on a local Flink against your Kafka (--key value settings);
                       resumes from its last checkpoint, Ctrl-C stops it with a savepoint
              bench    measure throughput and latency: bare model, naive job, ScoreStream, with Kafka
              config   print the configuration reference (every setting, its default and meaning)
              replay-dlq  re-publish chosen dead letters' original records to the input topic
              rollout  canary, promote or roll back a model version live, or show the rollout in force
              help     show this help
            """;

    private ScoreStreamCli() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.print(USAGE);
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (args[0]) {
                case "demo" -> {
                    return new DemoRunner(DemoOptions.parse(rest), System.out).run();
                }
                case "run" -> {
                    return new LocalRun(RunOptions.parse(rest), System.out).run();
                }
                case "bench" -> {
                    return new BenchRunner(BenchOptions.parse(rest), System.out).run();
                }
                case "replay-dlq" -> {
                    return DeadLetterReplay.run(ReplayOptions.parse(rest), System.out);
                }
                case "rollout" -> {
                    return RolloutCommand.run(RolloutOptions.parse(rest), System.out);
                }
                case "config" -> {
                    System.out.print(ConfigurationReference.markdownTable());
                    return 0;
                }
                case "help", "--help", "-h" -> {
                    System.out.print(
                            USAGE
                                    + "\n"
                                    + DemoOptions.USAGE
                                    + "\n"
                                    + RunOptions.USAGE
                                    + "\n"
                                    + BenchOptions.USAGE
                                    + "\n"
                                    + RolloutOptions.USAGE);
                    return 0;
                }
                default -> {
                    System.err.print("unknown command " + args[0] + "\n" + USAGE);
                    return 2;
                }
            }
        } catch (InvalidSettingsException | UsageException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }
}
