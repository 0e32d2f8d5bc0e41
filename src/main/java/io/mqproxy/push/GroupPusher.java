package io.mqproxy.push;

import io.mqproxy.config.PushRules;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.Deliveries;
import io.mqproxy.consume.Delivery;
import io.mqproxy.consume.PollRequest;
import io.mqproxy.consume.PollResult;
import io.mqproxy.log.LogSafe;
import io.mqproxy.log.TraceIds;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.PushSubscription;
import io.mqproxy.tracing.TraceSpan;
import io.mqproxy.tracing.Tracing;
import io.mqproxy.webhook.WebhookClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes one group's messages to its webhook from this instance. It consumes the group through
 * {@link ConsumeService} like any client (POP: several instances share the group, none gets a message
 * another holds) and settles each request's batch by its outcome: a 2xx acks it; anything else nacks it
 * with a back-off that doubles with the message's delivery count, which the broker keeps, so any
 * instance takes the retry up where another left it. Past the group's retries the pop moves it to the
 * dead-letter queue, as for polled groups.
 *
 * <p>At most {@code maxInFlight} requests at once, and as many answered batches being settled; at most one pop waits at the
 * broker, the others pop only while messages are there. Everything here runs on one context of the
 * push client's own event loops, so the counters need no locks and the data plane never waits for an
 * endpoint.
 */
final class GroupPusher {
    private static final Logger log = LoggerFactory.getLogger(GroupPusher.class);
    /** How long one pop waits at the broker for messages: the stop notices within a long-poll slice anyway. */
    private static final int WAIT_SECONDS = 20;
    /** After a failed pop (broker down, overload), or while paused or rate limited. */
    private static final long RETRY_MILLIS = 1_000;

    private final ConsumerGroup group;
    private final PushSubscription push;
    private final ConsumeService consume;
    private final WebhookClient client;
    private final Context context;
    private final PushMetrics metrics;
    private final RateGate rate;
    /** Endpoint rates and the signatures' time go by it. */
    private final Clock clock;
    private final Tracing tracing;
    private final int reservationSeconds;
    private int inFlight;
    /** Batches answered and being acked or given back: a slot is free once the answer is in, not the ack. */
    private int settling;
    private int popping;
    private boolean waiterOut;
    private boolean idle = true;
    private int emptyRun;
    /** Read by the consume service's threads too: a stopped pusher's waiting pop gives back what it gets. */
    private volatile boolean stopped;
    private boolean retryScheduled;
    private String lastFailure;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    GroupPusher(ConsumerGroup group, ConsumeService consume, WebhookClient client, Context context, PushMetrics metrics,
                IntSupplier liveInstances, Clock clock, Tracing tracing) {
        this.clock = clock;
        this.tracing = tracing;
        this.group = group;
        this.push = group.push();
        this.consume = consume;
        this.client = client;
        this.context = context;
        this.metrics = metrics;
        this.rate = new RateGate(push.ratePerSecond(), liveInstances, clock);
        this.reservationSeconds = Math.min(group.consumeTimeoutCap(),
            PushRules.reservationSeconds(push.timeoutMillis(), group.settings().minConsumeTimeoutSeconds()));
    }

    /** Whether this pusher already does what {@code now} asks. */
    boolean serves(ConsumerGroup now) {
        return push.equals(now.push()) && group.topic().equals(now.topic())
            && reservationSeconds == Math.min(now.consumeTimeoutCap(),
                PushRules.reservationSeconds(push.timeoutMillis(), now.settings().minConsumeTimeoutSeconds()));
    }

    void start() {
        context.runOnContext(v -> fill());
    }

    /**
     * Pops no more; requests in flight finish and are settled. The future completes when nothing is in
     * flight any more; what a waiting pop still brings is given back.
     */
    CompletableFuture<Void> stop() {
        context.runOnContext(v -> {
            stopped = true;
            finishIfDone();
        });
        return finished;
    }

    private void fill() {
        while (!stopped && inFlight + popping < push.maxInFlight() && settling < push.maxInFlight()) {
            boolean wait = !waiterOut;
            if (!wait && idle) {
                return;
            }
            long rateWait = rate.waitMillis();
            if (rateWait > 0) {
                retryIn(rateWait);
                return;
            }
            popping++;
            waiterOut |= wait;
            consume.pollEach(request(null, wait ? WAIT_SECONDS : 0))
                .whenComplete((d, failure) -> context.runOnContext(v -> popped(wait, d, failure)));
        }
    }

    private void popped(boolean wait, Deliveries d, Throwable failure) {
        popping--;
        if (wait) {
            waiterOut = false;
        }
        if (stopped) {
            if (d != null) {
                consume.returnUndelivered(d);
            }
            finishIfDone();
            return;
        }
        if (failure != null || !d.found()) {
            if (failure != null) {
                idle = true;
                failing("pop failed: " + failure.getMessage());
                retryIn(RETRY_MILLIS);
            } else if (PollResult.PAUSED.equals(d.status()) || PollResult.RATE_LIMITED.equals(d.status())) {
                idle = true;
                retryIn(RETRY_MILLIS);
            } else {
                // A pop that waited and found nothing: the group is idle. One that did not wait may only have met
                // queues that other pops held (the broker locks a queue per pop), so the slots go on popping until
                // each has come back empty once in a row.
                if (wait || ++emptyRun >= push.maxInFlight()) {
                    idle = true;
                }
                fill();
            }
            return;
        }
        idle = false;
        emptyRun = 0;
        inFlight++;
        rate.take();
        send(d);
        fill();
    }

    private void send(Deliveries d) {
        byte[] body = PushPayload.of(group.name(), group.topic(), push.clientId(), d.each());
        long started = System.nanoTime();
        List<Delivery> each = d.each();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("User-Agent", "mq-proxy-push");
        headers.put("X-MQProxy-Consumer", group.name());
        headers.put("X-MQProxy-Message-Id", String.join(",", each.stream().map(e -> e.message().messageId())
            .toList()));
        headers.put("X-MQProxy-Delivery-Count", Integer.toString(maxDeliveryCount(each)));
        TraceSpan span = span(each);
        headers.putAll(traceHeaders(each.get(0).message(), span));
        headers.put(PushSignature.HEADER, PushSignature.header(push.secret(), clock.millis() / 1000,
            body));
        client.post(push.url(), headers, body, push.timeoutMillis())
            .onComplete(answer -> {
                ended(span, answer);
                // A failure's log line carries the trace id of the (first) message pushed, or of this push's span.
                String traceId = span.traceId() != null ? span.traceId() : TraceIds.of(headers.get("traceparent"));
                try (TraceIds.Scope ignored = TraceIds.with(traceId)) {
                    answered(d, answer, System.nanoTime() - started);
                }
            });
    }

    /** A CLIENT span for this webhook request, child of the (first) message's trace context, linked to each's. */
    private TraceSpan span(List<Delivery> each) {
        return DeliverySpans.of(each, tracing::push, group.topic(), group.name());
    }

    private static void ended(TraceSpan span, AsyncResult<HttpResponse<Void>> answer) {
        if (span == TraceSpan.NONE) {
            return;
        }
        if (answer.succeeded()) {
            int code = answer.result().statusCode();
            span.httpStatus(code);
            if (code < 200 || code >= 300) {
                span.failed("answered HTTP " + code);
            }
        } else {
            span.failed(answer.cause() instanceof TimeoutException ? "timeout" : "connection failed");
        }
        span.end();
    }

    /**
     * The (first) message's W3C trace context, so the receiver's trace goes on from the producer's; with tracing
     * on, from this request's span.
     */
    private static Map<String, String> traceHeaders(DeliveredMessage m, TraceSpan span) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (m.properties() != null) {
            for (String name : List.of("traceparent", "tracestate")) {
                String value = m.properties().get(name);
                if (value != null) {
                    headers.put(name, value);
                }
            }
        }
        String own = span.traceparent();
        if (own != null) {
            headers.put("traceparent", own);
        }
        return headers;
    }

    private void answered(Deliveries d, AsyncResult<HttpResponse<Void>> answer, long nanos) {
        int code = answer.succeeded() ? answer.result().statusCode() : 0;
        PushMetrics.Outcome outcome = answer.succeeded()
            ? (code >= 200 && code < 300 ? PushMetrics.Outcome.OK : PushMetrics.Outcome.STATUS)
            : answer.cause() instanceof TimeoutException ? PushMetrics.Outcome.TIMEOUT
            : PushMetrics.Outcome.CONNECTION;
        metrics.pushed(group.name(), outcome, code, d.each().size(), nanos);
        inFlight--;
        settling++;
        CompletableFuture<?> settled;
        if (outcome == PushMetrics.Outcome.OK) {
            lastFailure = null;
            settled = consume.ack(request(d.batchToken(), null));
        } else {
            failing(outcome == PushMetrics.Outcome.STATUS ? "answered HTTP " + code
                : outcome.name().toLowerCase() + ": " + answer.cause().getMessage());
            long backoff = push.backoffMillis(maxDeliveryCount(d.each()));
            settled = consume.releaseAfterMillis(request(d.batchToken(), null), backoff);
        }
        // The next batches' polls are not this message's work: their callbacks must not carry its trace id.
        try (TraceIds.Scope ignored = TraceIds.as(null)) {
            fill();
        }
        settled.whenComplete((r, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                // Not settled: the reservation runs out and the broker delivers the batch again.
                log.debug("push of {} not settled: {}", group.name(), LogSafe.of(failure));
            }
            settling--;
            if (stopped) {
                finishIfDone();
            } else {
                fill();
            }
        }));
    }

    /** One line per change of trouble, not one per request: a failing endpoint is retried often. */
    private void failing(String what) {
        if (!what.equals(lastFailure)) {
            lastFailure = what;
            log.warn("push of consumer {} to {}: {}", group.name(), LogSafe.of(PushService.origin(push.url())),
                LogSafe.of(what));
        }
    }

    private void retryIn(long millis) {
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        context.owner().setTimer(Math.max(1, millis), id -> {
            retryScheduled = false;
            fill();
        });
    }

    private void finishIfDone() {
        if (inFlight == 0 && settling == 0 && popping == 0 && !finished.isDone()) {
            finished.complete(null);
        }
    }

    private PollRequest request(String token, Integer waitSeconds) {
        return new PollRequest(group.name(), group.topic(), token, null, push.clientId(),
            token == null ? push.batchSize() : null, token == null ? reservationSeconds : null, waitSeconds,
            () -> stopped);
    }

    private static int maxDeliveryCount(List<Delivery> batch) {
        return batch.stream().mapToInt(e -> e.message().deliveryCount()).max().orElse(1);
    }
}
