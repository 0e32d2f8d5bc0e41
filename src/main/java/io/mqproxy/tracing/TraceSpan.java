package io.mqproxy.tracing;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One operation's span, or {@link #NONE} when tracing is off. Attributes follow OpenTelemetry's messaging
 * conventions ({@code messaging.*}); setters return the span, and cost nothing on {@link #NONE}.
 */
public interface TraceSpan {
    TraceSpan NONE = new TraceSpan() {
    };

    /** {@code messaging.destination.name}, the topic; the span is renamed {@code <operation> <topic>}. */
    default TraceSpan destination(String topic) {
        return this;
    }

    /** {@code messaging.consumer.group.name}. */
    default TraceSpan consumerGroup(String group) {
        return this;
    }

    /** {@code messaging.batch.message_count}. */
    default TraceSpan messageCount(int messages) {
        return this;
    }

    /** {@code messaging.message.id}. */
    default TraceSpan messageId(String id) {
        return this;
    }

    /**
     * A span link to each message's creation context, its {@code traceparent} / {@code tracestate} properties
     * (messaging conventions: a span delivering a batch links every message, its parent being one of them).
     * Messages without a valid context add none; at most 128 per span, over all calls. On {@link #NONE} the
     * messages are not looked at.
     *
     * @param properties a message's properties (or null)
     */
    default <T> TraceSpan linkEach(List<T> messages, Function<? super T, Map<String, String>> properties) {
        return this;
    }

    /** {@code http.response.status_code} of a webhook's answer. */
    default TraceSpan httpStatus(int code) {
        return this;
    }

    /**
     * On a poll that named the previous batch's requestId: {@code mqproxy.acked_previous} (whether that ack
     * acked it) and {@code mqproxy.previous_ack} (its status, as the answer's {@code previousAck}).
     */
    default TraceSpan previousAck(boolean acked, String status) {
        return this;
    }

    /** Marks the span failed (status ERROR) with a description that names no secret. */
    default TraceSpan failed(String description) {
        return this;
    }

    /** This span's W3C {@code traceparent}, or null when it is not recorded (then the caller's passes on). */
    default String traceparent() {
        return null;
    }

    /** Its trace id (32 hex digits), or null when tracing is off. */
    default String traceId() {
        return null;
    }

    default void end() {
    }
}
