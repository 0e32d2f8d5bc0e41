package io.mqproxy.http;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * W3C Trace Context on a produce request: {@code traceparent} and {@code tracestate} are kept with the message
 * as properties of those names, so its consumers continue the trace. A malformed {@code traceparent} is
 * ignored, as the Trace Context spec asks of a receiver (the request is not refused for it), and then so is
 * {@code tracestate}.
 */
final class TraceContext {
    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";
    /** The spec's upper bound for a tracestate a receiver must keep (32 members, 512 characters). */
    private static final int MAX_TRACESTATE = 512;
    private static final Pattern PARENT =
        Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\\s]*)?");
    private static final Pattern STATE = Pattern.compile("[\\x20-\\x7e]*");

    private TraceContext() {
    }

    /**
     * The trace context a message of this request keeps, as message properties: the request's span's when
     * tracing is on (the consumers' spans then follow from the proxy's), else the request's own; empty when
     * there is none.
     */
    static Map<String, String> of(RoutingContext ctx) {
        String own = RequestTracing.span(ctx).traceparent();
        Map<String, String> incoming = incoming(ctx);
        if (own == null || own.equals(incoming.get(TRACEPARENT))) {
            return incoming;
        }
        Map<String, String> out = new LinkedHashMap<>(incoming);
        out.put(TRACEPARENT, own);
        return out;
    }

    /** The request's trace context; empty when it has none (or a malformed one). */
    static Map<String, String> incoming(RoutingContext ctx) {
        String parent = ctx.request().getHeader(TRACEPARENT);
        if (parent == null || !valid(parent.trim())) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(TRACEPARENT, parent.trim());
        List<String> states = ctx.request().headers().getAll(TRACESTATE);
        String state = String.join(",", states).trim();
        if (!state.isEmpty() && state.length() <= MAX_TRACESTATE && STATE.matcher(state).matches()) {
            out.put(TRACESTATE, state);
        }
        return out;
    }

    static boolean valid(String traceparent) {
        var m = PARENT.matcher(traceparent);
        if (!m.matches() || m.group(1).equals("ff") || m.group(2).matches("0+") || m.group(3).matches("0+")) {
            return false;
        }
        // Version 00 has exactly four fields; later versions may append more, which a receiver keeps.
        return !m.group(1).equals("00") || m.group(5) == null;
    }

    /** {@code properties} with the trace context added (the headers win over same-named properties). */
    static Map<String, String> addTo(Map<String, String> properties, Map<String, String> trace) {
        if (trace.isEmpty()) {
            return properties;
        }
        Map<String, String> all = properties == null ? new LinkedHashMap<>() : new LinkedHashMap<>(properties);
        all.putAll(trace);
        return all;
    }
}
