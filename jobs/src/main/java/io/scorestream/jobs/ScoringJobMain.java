package io.scorestream.jobs;

import io.scorestream.jobs.config.JobConfiguration;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.KafkaPreflight;
import io.scorestream.jobs.local.LocalMemory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point for {@code flink run} and application mode: settings come from the cluster's {@code
 * config.yaml} and from {@code --key value} arguments (which win), e.g. {@code
 * --scorestream.kafka.bootstrap-servers kafka:9092}. {@code scorestream run} starts the same job on
 * a local Flink, with checkpoints it resumes from ({@code io.scorestream.jobs.local.LocalRun}).
 */
public final class ScoringJobMain {

    private ScoringJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobConfiguration.load(args);
        ScoringSettings settings = ScoringSettings.from(conf);
        preflight(settings);
        Configuration flinkConf = FlinkSetup.forScoring(conf, settings);
        if (StreamExecutionEnvironment.areExplicitEnvironmentsAllowed()) {
            // No cluster around us (ScoringJobMain started by hand): Flink starts one in this JVM,
            // whose RocksDB needs more than Flink's 128 MB local default for many sessions.
            flinkConf = LocalMemory.sized(flinkConf, LocalMemory.localSlots(flinkConf));
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        ScoringJob.onKafka(settings).build(env);
        env.execute();
    }

    /**
     * What is checked before a job is submitted: wrong credentials or a missing topic stop start-up
     * with a clear message, instead of a job that restarts forever against a Kafka that will not
     * let it in; and another job writing with our transactional id prefix (which would be fenced
     * silently) is refused.
     */
    public static void preflight(ScoringSettings settings) {
        KafkaPreflight.check(settings);
        KafkaPreflight.checkTransactionalIdPrefixIsFree(
                settings.kafka(), settings.checkpoints().interval().plusSeconds(1));
    }
}
