package io.mqproxy.log;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg} in logback.xml: the message with control characters escaped, so that a value that
 * reached a log call unescaped still cannot start a line of its own. A net under {@link LogSafe}, not
 * a replacement: it does not bound lengths, and a message may legitimately be long.
 */
public final class SafeMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogSafe.escapeUnbounded(super.convert(event));
    }
}
