package io.mqproxy.log;

import org.slf4j.MDC;

/**
 * The trace id of the request (or pushed message) being handled, in the logging MDC under {@value #KEY}, so that
 * its log lines carry it ({@code %trace} in logback.xml: {@code trace=<32 hex>}). Vert.x runs many requests on
 * one thread, so the id is set only around each piece of a request's work on the event loop and restored after;
 * work that goes on on the broker client's or a pool's threads does not carry it.
 */
public final class TraceIds {
    public static final String KEY = "trace_id";
    private static final Scope NOTHING = () -> { };

    private TraceIds() {
    }

    /** Restores the MDC as it was; closing twice is harmless. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Puts {@code traceId} (null: nothing to do) in the MDC until the scope is closed. */
    public static Scope with(String traceId) {
        if (traceId == null) {
            return NOTHING;
        }
        String before = MDC.get(KEY);
        MDC.put(KEY, traceId);
        return () -> {
            if (before == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, before);
            }
        };
    }

    /**
     * The trace id of a W3C {@code traceparent} ({@code vv-<32 hex>-<16 hex>-ff}), or null when there is none or
     * it is malformed: cheap, for every request.
     */
    public static String of(String traceparent) {
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
            || traceparent.charAt(35) != '-') {
            return null;
        }
        boolean zero = true;
        for (int i = 3; i < 35; i++) {
            char c = traceparent.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
            zero &= c == '0';
        }
        return zero ? null : traceparent.substring(3, 35);
    }
}
