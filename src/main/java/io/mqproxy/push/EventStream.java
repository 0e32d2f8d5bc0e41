package io.mqproxy.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.Deliveries;
import io.mqproxy.consume.Delivery;
import io.mqproxy.consume.PollRequest;
import io.mqproxy.consume.PollResult;
import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.ProxyError;
import io.mqproxy.error.Status;
import io.mqproxy.log.LogSafe;
import io.mqproxy.log.TraceIds;
import io.mqproxy.tracing.TraceSpan;
import io.mqproxy.tracing.Tracing;
import io.vertx.core.Context;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server-sent event stream: pops through {@link ConsumeService} and writes each message as an event
 * whose id is the message's own ack token. With client acks it keeps at most {@code maxUnacked} messages
 * written and not yet acked (acked through this instance, or past their reservation, when the broker
 * delivers them again anyway): past that it waits instead of buffering. With auto acks each message is
 * acked once written, and the bound is on acks under way. It also waits while the connection's write
 * queue is full. Closing gives back what the client has not acked, at once.
 *
 * <p>Runs on the connection's event loop: every field is touched only there.
 */
final class EventStream {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    /** One pop's wait at the broker; the heartbeat keeps the connection alive meanwhile. */
    private static final int WAIT_SECONDS = 20;
    private static final long RETRY_MILLIS = 1_000;
    /** The reconnection delay an EventSource is told to use. */
    private static final long RECONNECT_MILLIS = 2_000;

    private final StreamService streams;
    private final ConsumeService consume;
    private final StreamRequest request;
    private final StreamSink sink;
    private final Context context;
    private final int maxUnacked;
    /** Reservations end by it (the consume service's clock). */
    private final Clock clock;
    private final Tracing tracing;
    private final Map<ReceiptHandle, Delivery> unacked = new LinkedHashMap<>();
    private int acking;
    private boolean fetching;
    private boolean paused;
    /** Waiting because the client holds maxUnacked messages not acked (ack=client): said once, with its end. */
    private boolean atLimit;
    private boolean retryScheduled;
    private long heartbeat = -1;
    /** Read by the consume service's threads too: a waiting pop of a closed stream gives back what it gets. */
    private volatile boolean closed;

    EventStream(StreamService streams, ConsumeService consume, StreamRequest request, int maxUnacked,
                StreamSink sink, Context context, Clock clock, Tracing tracing) {
        this.clock = clock;
        this.tracing = tracing;
        this.streams = streams;
        this.consume = consume;
        this.request = request;
        this.maxUnacked = maxUnacked;
        this.sink = sink;
        this.context = context;
    }

    /** Opens the stream with what the first pop found. On the connection's context. */
    void start(Deliveries first, long heartbeatMillis) {
        sink.write("retry: " + RECONNECT_MILLIS + "\n: mq-proxy stream of " + request.consumer() + ", ack="
            + (request.autoAck() ? "auto" : "client") + (request.lastEventId() != null ? ", resumed" : "") + "\n\n");
        heartbeat = context.owner().setPeriodic(heartbeatMillis, id -> beat());
        if (first.found()) {
            written(first);
        }
        fetch();
    }

    /** The client acked (or gave back) a message of this stream through this instance. */
    void settled(ReceiptHandle handle) {
        context.runOnContext(v -> {
            if (unacked.remove(handle) != null) {
                fetch();
            }
        });
    }

    /** The connection closed, or the proxy is stopping: what the client has not acked is given back now. */
    void close() {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            closed = true;
            if (heartbeat >= 0) {
                context.owner().cancelTimer(heartbeat);
            }
            for (Delivery d : unacked.values()) {
                streams.disown(d.handle());
                consume.release(request(d.token(), null, null), 0);
            }
            unacked.clear();
            streams.closed(this);
        });
    }

    /** Ends the response; {@link #close} follows from the connection's end. */
    void end() {
        context.runOnContext(v -> sink.end());
    }

    private void beat() {
        sink.write(": heartbeat\n\n");
        expire();
        fetch();
    }

    private void fetch() {
        if (closed || fetching) {
            return;
        }
        expire();
        int free = maxUnacked - (request.autoAck() ? acking : unacked.size());
        if (free <= 0) {
            if (!request.autoAck() && !atLimit) {
                // The client is told why nothing comes: it holds maxUnacked messages it has not acked.
                atLimit = true;
                event("paused", "{\"consumer\":" + quote(request.consumer()) + ",\"reason\":\"maxUnacked\","
                    + "\"unacked\":" + unacked.size() + ",\"maxUnacked\":" + maxUnacked + "}");
            }
            return; // a settled message, an expiry or the heartbeat fetches again
        }
        if (atLimit) {
            atLimit = false;
            event("resumed", "{\"consumer\":" + quote(request.consumer()) + ",\"reason\":\"maxUnacked\"}");
        }
        if (sink.full()) {
            sink.onDrain(this::fetch);
            return;
        }
        fetching = true;
        consume.pollEach(request(null, Math.min(free, 32), WAIT_SECONDS))
            .whenComplete((d, failure) -> context.runOnContext(v -> fetched(d, failure)));
    }

    private void fetched(Deliveries d, Throwable failure) {
        fetching = false;
        if (closed) {
            if (d != null) {
                consume.returnUndelivered(d);
            }
            return;
        }
        if (failure != null) {
            ProxyError error = ErrorMapper.toProxyError(failure);
            if (error.status() == Status.BAD_REQUEST) {
                // The group was removed or changed under the stream: say so, and end it.
                event("error", "{\"status\":400,\"message\":" + quote(error.getMessage()) + "}");
                sink.end();
            } else {
                retryIn(RETRY_MILLIS);
            }
            return;
        }
        if (PollResult.PAUSED.equals(d.status())) {
            if (!paused) {
                paused = true;
                event("paused", "{\"consumer\":" + quote(request.consumer()) + ",\"reason\":\"group\"}");
            }
            retryIn(RETRY_MILLIS);
            return;
        }
        if (paused) {
            paused = false;
            event("resumed", "{\"consumer\":" + quote(request.consumer()) + ",\"reason\":\"group\"}");
        }
        if (PollResult.RATE_LIMITED.equals(d.status())) {
            retryIn(RETRY_MILLIS);
            return;
        }
        if (d.found()) {
            written(d);
        }
        fetch();
    }

    private void written(Deliveries d) {
        streams.streamed(request.consumer(), d.each().size());
        TraceSpan span = span(d.each());
        String traceparent = span.traceparent();
        CompletableFuture<?>[] writes = new CompletableFuture<?>[d.each().size()];
        int i = 0;
        for (Delivery delivery : d.each()) {
            String text = "id: " + delivery.token() + "\nevent: message\ndata: "
                + json(delivery, traceparent, span.traceId()) + "\n\n";
            CompletableFuture<Void> write = sink.write(text);
            writes[i++] = write;
            if (request.autoAck()) {
                acking++;
                write.whenComplete((v, failure) -> context.runOnContext(x -> {
                    // A write that failed reached no client: given back without counting a delivery.
                    (failure == null ? consume.ack(request(delivery.token(), null, null))
                        : consume.returnUndelivered(delivery))
                        .whenComplete((r, f) -> context.runOnContext(y -> {
                            acking--;
                            fetch();
                        }));
                }));
            } else {
                unacked.put(delivery.handle(), delivery);
                streams.own(delivery.handle(), this);
            }
        }
        if (span != TraceSpan.NONE) {
            CompletableFuture.allOf(writes).whenComplete((v, failure) -> {
                if (failure != null) {
                    span.failed("the client has gone");
                }
                span.end();
            });
        }
    }

    /**
     * A span for this batch of events, child of the (first) message's trace context, as a webhook request's is,
     * linked to each message's; it ends once the events are handed to the connection.
     */
    private TraceSpan span(List<Delivery> each) {
        return tracing == Tracing.OFF ? TraceSpan.NONE
            : DeliverySpans.of(each, tracing::stream, request.topic(), request.consumer());
    }

    /** Messages past their reservation are being delivered again by the broker: their slots are free. */
    private void expire() {
        long now = clock.millis();
        for (Iterator<Delivery> it = unacked.values().iterator(); it.hasNext(); ) {
            Delivery d = it.next();
            if (d.expiresAt() <= now) {
                streams.disown(d.handle());
                it.remove();
            }
        }
    }

    private void event(String name, String data) {
        sink.write("event: " + name + "\ndata: " + data + "\n\n");
    }

    private void retryIn(long millis) {
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        context.owner().setTimer(millis, id -> {
            retryScheduled = false;
            fetch();
        });
    }

    private PollRequest request(String token, Integer max, Integer waitSeconds) {
        return new PollRequest(request.consumer(), request.topic(), token, null, request.clientId(), max,
            token == null ? request.consumeTimeoutSeconds() : null, waitSeconds, () -> closed);
    }

    /**
     * The event's data: the message, whose {@code traceparent} is the batch span's when it is recorded and the
     * message is in that span's trace (or has none), so the client continues from the stream's span. A message of
     * another trace in the same batch keeps its own context.
     */
    private static String json(Delivery d, String own, String traceId) {
        DeliveredMessage m = d.message();
        if (own != null) {
            String theirs = m.properties() == null ? null : m.properties().get("traceparent");
            if (theirs == null || traceId.equals(TraceIds.of(theirs))) {
                Map<String, String> properties = m.properties() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(m.properties());
                properties.put("traceparent", own);
                m = new DeliveredMessage(m.messageId(), m.message(), m.encoding(), m.timestamp(), m.keys(), m.tags(),
                    properties, m.deliveryCount());
            }
        }
        try {
            return PushPayload.JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            log.error("message {} not serializable", LogSafe.of(d.message().messageId()), e);
            return "{}";
        }
    }

    private static String quote(String s) {
        try {
            return PushPayload.JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            return "\"\"";
        }
    }
}
