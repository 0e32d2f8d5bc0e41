package io.mqproxy.push;

import io.mqproxy.consume.Delivery;
import io.mqproxy.tracing.TraceSpan;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The span of one delivery of messages (an SSE batch, a webhook request): child of the first message's trace
 * context, linked to each message's, with the messaging attributes; one rule for both ways of pushing.
 */
final class DeliverySpans {
    private DeliverySpans() {
    }

    /** {@code start}: the tracing's span kind for this way of pushing, given a traceparent and tracestate. */
    static TraceSpan of(List<Delivery> each, BiFunction<String, String, TraceSpan> start, String topic,
                        String group) {
        Map<String, String> first = each.get(0).message().properties();
        TraceSpan span = start.apply(first == null ? null : first.get("traceparent"),
            first == null ? null : first.get("tracestate"));
        if (span != TraceSpan.NONE) {
            span.destination(topic).consumerGroup(group).messageCount(each.size())
                .linkEach(each, d -> d.message().properties());
            if (each.size() == 1) {
                span.messageId(each.get(0).message().messageId());
            }
        }
        return span;
    }
}
