package io.mqproxy.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %trace} in logback.xml: {@code " trace=<id>"} when the line was written while handling a request or
 * pushed message with a trace id ({@link TraceIds}), nothing otherwise. Escaped like any request value.
 */
public final class TraceConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        String id = event.getMDCPropertyMap().get(TraceIds.KEY);
        return id == null ? "" : " trace=" + LogSafe.escape(id);
    }
}
