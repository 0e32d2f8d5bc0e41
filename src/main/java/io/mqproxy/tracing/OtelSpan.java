package io.mqproxy.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A {@link TraceSpan} over an OpenTelemetry span. Used by one request (or webhook attempt) at a time. */
final class OtelSpan implements TraceSpan {
    private final Span span;
    private final Operation operation;
    private final Context parent;
    private MessageLinks links;

    OtelSpan(Span span, Operation operation, Context parent) {
        this.span = span;
        this.operation = operation;
        this.parent = parent;
    }

    @Override
    public TraceSpan destination(String topic) {
        if (topic != null) {
            span.setAttribute(OtelTracing.DESTINATION, topic);
            span.updateName(operation.operationName() + " " + topic);
        }
        return this;
    }

    @Override
    public TraceSpan consumerGroup(String group) {
        if (group != null) {
            span.setAttribute(OtelTracing.GROUP, group);
        }
        return this;
    }

    @Override
    public TraceSpan messageCount(int messages) {
        span.setAttribute(OtelTracing.COUNT, (long) messages);
        return this;
    }

    @Override
    public TraceSpan messageId(String id) {
        if (id != null) {
            span.setAttribute(OtelTracing.MESSAGE_ID, id);
        }
        return this;
    }

    @Override
    public <T> TraceSpan linkEach(List<T> messages, Function<? super T, Map<String, String>> properties) {
        if (!span.isRecording()) {
            return this; // sampled out: a link would be dropped unread
        }
        if (links == null) {
            links = new MessageLinks(span::addLink);
        }
        links.add(messages, properties);
        return this;
    }

    @Override
    public TraceSpan httpStatus(int code) {
        span.setAttribute(OtelTracing.HTTP_STATUS, (long) code);
        return this;
    }

    @Override
    public TraceSpan previousAck(boolean acked, String status) {
        span.setAttribute(OtelTracing.ACKED_PREVIOUS, acked);
        if (status != null) {
            span.setAttribute(OtelTracing.PREVIOUS_ACK, status);
        }
        return this;
    }

    @Override
    public TraceSpan failed(String description) {
        span.setStatus(StatusCode.ERROR, description == null ? "" : description);
        return this;
    }

    @Override
    public String traceparent() {
        if (!span.getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(4);
        W3CTraceContextPropagator.getInstance().inject(parent.with(span), carrier, Map::put);
        return carrier.get("traceparent");
    }

    @Override
    public String traceId() {
        return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    @Override
    public void end() {
        span.end();
    }
}
