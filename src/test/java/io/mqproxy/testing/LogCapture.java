package io.mqproxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Records what the proxy logs at WARN or above while open (its own logs and Vert.x's, both through SLF4J),
 * so a test can say "a client's bad request left no stack trace". Bounded: past 1,000 events it keeps
 * only a count.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private static final int KEPT = 1_000;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private volatile int dropped;
    private final Level threshold;

    private LogCapture(Level threshold) {
        this.threshold = threshold;
    }

    public static LogCapture attach() {
        return attach(Level.WARN);
    }

    /** Records every event at {@code threshold} and above (what the loggers let through). */
    public static LogCapture attach(Level threshold) {
        LogCapture capture = new LogCapture(threshold);
        capture.setName("test-capture");
        capture.setContext(root().getLoggerContext());
        capture.start();
        root().addAppender(capture);
        return capture;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(threshold)) {
            return;
        }
        if (events.size() < KEPT) {
            event.prepareForDeferredProcessing();
            events.add(event);
        } else {
            dropped++;
        }
    }

    /** WARN and above with a stack trace: what a client must never be able to cause. */
    public List<String> stackTraces() {
        return events.stream().filter(e -> e.getThrowableProxy() != null)
            .map(LogCapture::describe).collect(Collectors.toList());
    }

    /** Every event recorded, as text. */
    public List<String> all() {
        return events.stream().map(LogCapture::describe).collect(Collectors.toList());
    }

    /** Every event recorded, as logged (e.g. to render it through the configured layout). */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** Every WARN and above. */
    public List<String> warnings() {
        return events.stream().map(LogCapture::describe).collect(Collectors.toList());
    }

    public int dropped() {
        return dropped;
    }

    private static String describe(ILoggingEvent e) {
        return e.getLevel() + " " + e.getLoggerName() + " [" + e.getThreadName() + "] " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? ""
            : " / " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage());
    }

    @Override
    public void close() {
        root().detachAppender(this);
        stop();
    }
}
