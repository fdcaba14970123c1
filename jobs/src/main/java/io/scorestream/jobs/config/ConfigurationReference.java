package io.scorestream.jobs.config;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/** The configuration reference of the README, rendered from the declared options. */
public final class ConfigurationReference {

    private ConfigurationReference() {}

    /** A Markdown table: key, default, meaning; one row per option of {@link ScoringOptions}. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder();
        table.append("| key | default | meaning |\n");
        table.append("|---|---|---|\n");
        HtmlFormatter formatter = new HtmlFormatter();
        for (ConfigOption<?> option : ScoringOptions.all()) {
            table.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(defaultOf(option))
                    .append(" | ")
                    .append(formatter.format(option.description()).replace("|", "\\|"))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (option.equals(ScoringOptions.BOOTSTRAP_SERVERS)) {
            return "(required)";
        }
        if (!option.hasDefaultValue()) {
            return "(unset)";
        }
        Object value = option.defaultValue();
        String text;
        if (value instanceof Duration duration) {
            text = TimeUtils.formatWithHighestUnit(duration);
        } else if (value instanceof Map<?, ?> map) {
            text =
                    map.entrySet().stream()
                            .map(e -> e.getKey() + ":" + e.getValue())
                            .collect(Collectors.joining(","));
        } else {
            text = String.valueOf(value);
        }
        return text.isEmpty() ? "(none)" : "`" + text + "`";
    }
}
