package io.scorestream.jobs;

import io.scorestream.jobs.config.JobConfiguration;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.kafka.KafkaPreflight;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point for {@code flink run}: settings come from the cluster's {@code config.yaml} and from
 * {@code --key value} arguments (which win), e.g. {@code --scorestream.kafka.bootstrap-servers
 * kafka:9092}.
 */
public final class ScoringJobMain {

    private ScoringJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobConfiguration.load(args);
        ScoringSettings settings = ScoringSettings.from(conf);
        // Wrong credentials, a missing topic or a size limit the topics contradict stop start-up
        // with a clear message, instead of a job that restarts forever against Kafka.
        KafkaPreflight.check(settings);
        // Another job writing with our transactional id prefix would be fenced silently.
        KafkaPreflight.checkTransactionalIdPrefixIsFree(
                settings.kafka(), settings.checkpoints().interval().plusSeconds(1));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        ScoringJob.onKafka(settings).build(env);
        env.execute();
    }
}
