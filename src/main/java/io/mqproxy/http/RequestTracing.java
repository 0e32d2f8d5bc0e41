package io.mqproxy.http;

import io.mqproxy.broker.SendReceipt;
import io.mqproxy.consume.AckResult;
import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.PollResult;
import io.mqproxy.log.TraceIds;
import io.mqproxy.tracing.Operation;
import io.mqproxy.tracing.TraceSpan;
import io.mqproxy.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * With tracing on, a span (kind SERVER) for each produce, poll, ack, nack and unlock request, child of the
 * request's {@code traceparent}; kept on the request, ended by {@link Responder#write} with what the answer says
 * (a poll's span links each message it hands out to that message's own context).
 * Always: the request's trace id (its span's, else its {@code traceparent}'s) is in the logging MDC while its
 * handler runs, and again while its answer is written ({@link #traceId}), so its log lines carry it.
 */
final class RequestTracing implements Handler<RoutingContext> {
    private static final String SPAN = "mqproxy.span";
    private static final String TRACE_ID = "mqproxy.traceId";
    private final Tracing tracing;

    RequestTracing(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String traceId = null;
        Operation operation = tracing == Tracing.OFF ? null : operation(ctx.request().path());
        if (operation != null) {
            Map<String, String> incoming = TraceContext.incoming(ctx);
            TraceSpan span = tracing.serve(operation, incoming.get(TraceContext.TRACEPARENT),
                incoming.get(TraceContext.TRACESTATE));
            ctx.put(SPAN, span);
            traceId = span.traceId();
        }
        if (traceId == null) {
            traceId = TraceIds.of(ctx.request().getHeader(TraceContext.TRACEPARENT));
        }
        if (traceId == null) {
            ctx.next();
            return;
        }
        ctx.put(TRACE_ID, traceId);
        try (TraceIds.Scope ignored = TraceIds.with(traceId)) {
            ctx.next();
        }
    }

    /** The request's trace id for its log lines, or null. */
    static String traceId(RoutingContext ctx) {
        return ctx.get(TRACE_ID);
    }

    private static Operation operation(String path) {
        return switch (path) {
            case ProduceHandler.PRODUCE, ProduceHandler.BATCH -> Operation.SEND;
            case ConsumeHandler.MESSAGE -> Operation.RECEIVE;
            case ConsumeHandler.ACK -> Operation.ACK;
            case ConsumeHandler.NACK -> Operation.NACK;
            case ConsumeHandler.UNLOCK -> Operation.UNLOCK;
            default -> null;
        };
    }

    /** The request's span; {@link TraceSpan#NONE} when tracing is off or the route has none. */
    static TraceSpan span(RoutingContext ctx) {
        TraceSpan span = ctx.get(SPAN);
        return span == null ? TraceSpan.NONE : span;
    }

    /** Ends the request's span (once) with what its answer says. */
    static void end(RoutingContext ctx, Envelope envelope) {
        TraceSpan span = ctx.remove(SPAN);
        if (span == null) {
            return;
        }
        if (envelope.result() instanceof SendReceipt receipt) {
            span.messageId(receipt.msgId());
            if (receipt.messageQueue() != null) {
                span.destination(receipt.messageQueue().topic());
            }
        } else if (envelope.result() instanceof PollResult poll) {
            span.messageCount(poll.msgListSize() + poll.retryMsgListSize())
                .linkEach(poll.msgList(), DeliveredMessage::properties)
                .linkEach(poll.retryMsgList(), DeliveredMessage::properties);
            String previous = poll.previousAck();
            if (previous != null) {
                // EXPIRED still acks what the broker had not yet delivered again; ALREADY_* did nothing this time.
                span.previousAck(AckResult.OK.equals(previous) || AckResult.EXPIRED.equals(previous), previous);
            }
        } else if (envelope.result() instanceof AckResult ack) {
            span.messageCount(ack.messages());
        }
        if (envelope.status() != 200) {
            span.failed(envelope.status() + (envelope.message() == null ? "" : " " + envelope.message()));
        }
        span.end();
    }
}
