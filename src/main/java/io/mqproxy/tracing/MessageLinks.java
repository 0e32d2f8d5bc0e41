package io.mqproxy.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One span's links to the creation contexts of the messages it delivers: OpenTelemetry's messaging conventions
 * ask a span that receives or processes a batch to link each message's context, since its parent can be only
 * one of them. A message's context is its {@code traceparent} (and {@code tracestate}) property, written at
 * produce. Messages without a valid one add no link; several messages of one context (a produce batch) add one.
 * <p>
 * Bounded: at most {@link #MAX} distinct contexts are parsed per span, so at most that many links are built
 * whatever the batch's size (beyond them, one property lookup per message). {@link #MAX} is 128, the SDK's own
 * default limit of links per span ({@code SpanLimits}), which {@link OtelTracing} sets to the same number: a
 * context parsed beyond it would be dropped by the SDK anyway. A poll hands out at most 128 messages, so a poll's
 * span links every message's context; a larger SSE or webhook batch links its first 128 contexts.
 */
final class MessageLinks {
    static final int MAX = 128;
    private final Consumer<SpanContext> sink;
    private final Set<String> seen = new HashSet<>();

    MessageLinks(Consumer<SpanContext> sink) {
        this.sink = sink;
    }

    <T> void add(List<T> items, Function<? super T, Map<String, String>> properties) {
        if (items == null) {
            return;
        }
        for (T item : items) {
            if (seen.size() >= MAX) {
                return;
            }
            Map<String, String> p = properties.apply(item);
            String traceparent = p == null ? null : p.get("traceparent");
            if (traceparent == null || !seen.add(traceparent)) {
                continue;
            }
            SpanContext context = Span.fromContext(W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), p, OtelTracing.GETTER)).getSpanContext();
            if (context.isValid()) {
                sink.accept(context);
            }
        }
    }
}
