package io.scorestream.it.security;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures everything logged at INFO and above in this JVM (Flink, Kafka clients, the broker), with
 * the full stack traces of logged exceptions, while the console keeps its own level. Closing it
 * restores the logging configuration.
 */
public final class CapturedLogs extends AbstractAppender implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final LoggerContext context;
    private final Level previousRootLevel;
    private final Map<String, Appender> previousAppenders;

    private CapturedLogs(LoggerContext context) {
        super("captured-logs", null, null, true, Property.EMPTY_ARRAY);
        this.context = context;
        LoggerConfig root = context.getConfiguration().getRootLogger();
        this.previousRootLevel = root.getLevel();
        this.previousAppenders = Map.copyOf(root.getAppenders());
    }

    public static CapturedLogs capture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        CapturedLogs logs = new CapturedLogs(context);
        logs.start();
        Configuration config = context.getConfiguration();
        config.addAppender(logs);
        LoggerConfig root = config.getRootLogger();
        // The console keeps printing only what it printed before; this appender sees INFO too.
        for (Appender appender : logs.previousAppenders.values()) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, logs.previousRootLevel, null);
        }
        root.addAppender(logs, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
        return logs;
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder line =
                new StringBuilder()
                        .append(event.getLevel())
                        .append(' ')
                        .append(event.getLoggerName())
                        .append(" - ")
                        .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        lines.add(line.toString());
    }

    /** Everything captured so far, one event per line (exceptions over several). */
    public String text() {
        return String.join("\n", lines);
    }

    public int size() {
        return lines.size();
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        root.removeAppender(getName());
        for (Appender appender : previousAppenders.values()) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, null, null);
        }
        root.setLevel(previousRootLevel);
        context.updateLoggers();
        stop();
    }
}
