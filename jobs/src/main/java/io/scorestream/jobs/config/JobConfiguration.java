package io.scorestream.jobs.config;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.util.ParameterTool;

/**
 * The configuration a job starts with: the cluster's {@code config.yaml} (from {@code
 * FLINK_CONF_DIR}, which Flink's CLI and entry points set), overridden by {@code --key value}
 * arguments. So ScoreStream's settings and the restart strategy its checks depend on can live in
 * either place.
 */
public final class JobConfiguration {

    private JobConfiguration() {}

    public static Configuration load(String[] args) {
        return load(args, System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR));
    }

    static Configuration load(String[] args, String confDir) {
        Configuration conf = new Configuration();
        if (confDir != null && Files.isDirectory(Path.of(confDir))) {
            conf.addAll(GlobalConfiguration.loadConfiguration(confDir));
        }
        conf.addAll(ParameterTool.fromArgs(args).getConfiguration());
        return conf;
    }
}
