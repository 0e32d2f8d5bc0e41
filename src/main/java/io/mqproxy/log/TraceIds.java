package io.mqproxy.log;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The trace id of the request (or pushed message) being handled, in the logging MDC under {@value #KEY}, so that
 * its log lines carry it ({@code %trace} in logback.xml: {@code trace=<32 hex>}). Vert.x runs many requests on
 * one thread, so the id is set only around each piece of a request's work on the event loop and restored after.
 * Work handed to another thread takes the id along with {@link #carry}: the proxy's pools do it for every task
 * ({@code threads.ThreadPools}), the broker package for the RocketMQ client's callbacks. Without an id, carrying
 * costs one MDC read and no allocation: the task itself is handed on.
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

    /** The trace id in the MDC now, or null. */
    public static String current() {
        return MDC.get(KEY);
    }

    /**
     * Makes {@code traceId} the MDC's, exactly: null removes the one there. For work whose id was taken elsewhere
     * (a waiter's, a callback's), which must not run under the id of whoever completes it.
     */
    public static Scope as(String traceId) {
        String before = MDC.get(KEY);
        if (traceId == null) {
            if (before == null) {
                return NOTHING;
            }
            MDC.remove(KEY);
            return () -> MDC.put(KEY, before);
        }
        return with(traceId, before);
    }

    /** {@code task}, run with the trace id current now; the thread's MDC is as it was after. */
    public static Runnable carry(Runnable task) {
        String id = current();
        if (id == null) {
            return task;
        }
        return () -> {
            try (Scope ignored = as(id)) {
                task.run();
            }
        };
    }

    /** {@code task}, called with the trace id current now. */
    public static <V> Callable<V> carry(Callable<V> task) {
        String id = current();
        if (id == null) {
            return task;
        }
        return () -> {
            try (Scope ignored = as(id)) {
                return task.call();
            }
        };
    }

    /** {@code task}, asked with the trace id current now. */
    public static <V> Supplier<V> carry(Supplier<V> task) {
        String id = current();
        if (id == null) {
            return task;
        }
        return () -> {
            try (Scope ignored = as(id)) {
                return task.get();
            }
        };
    }

    /** Puts {@code traceId} (null: nothing to do) in the MDC until the scope is closed. */
    public static Scope with(String traceId) {
        if (traceId == null) {
            return NOTHING;
        }
        return with(traceId, MDC.get(KEY));
    }

    private static Scope with(String traceId, String before) {
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
