package io.mqproxy.http;

import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.PollResult;
import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.ProxyError;
import io.mqproxy.log.LogSafe;
import io.mqproxy.log.TraceIds;
import io.mqproxy.metrics.ProxyMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes envelopes, and is where every failure of a request becomes one. The contract's routes
 * ({@code /mq/...}) answer HTTP 200 with the status in the body, as their clients expect; every other
 * answer carries its status as the HTTP code too, for probes, scrapers and load balancers. Also records
 * the request's metrics.
 */
final class Responder {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);
    /** The context key under which a failure's message is left for end handlers (the admin port's audit). */
    static final String FAILURE = "mqproxy.failure";
    private final ProxyMetrics metrics;
    private final boolean failuresAsHttpCodes;
    private final ConnectionGuard clock;

    /**
     * @param failuresAsHttpCodes false on the data ports: failures are HTTP 200 with the status in the
     *                            body, as the contract's clients expect; true on the admin port, whose
     *                            callers are operators' tools that read HTTP codes
     * @param clock               the guard of the server whose requests this answers: it knows when each began
     */
    Responder(ProxyMetrics metrics, boolean failuresAsHttpCodes, ConnectionGuard clock) {
        this.metrics = metrics;
        this.failuresAsHttpCodes = failuresAsHttpCodes;
        this.clock = clock;
    }

    /** Answers when the future completes, on the request's own event loop. */
    <T> void answer(RoutingContext ctx, String route, CompletionStage<T> work, Function<T, Envelope> toEnvelope) {
        answer(ctx, route, work, toEnvelope, value -> { });
    }

    /**
     * Like {@link #answer(RoutingContext, String, CompletionStage, Function)}, and hands the value to
     * {@code undelivered} when the client cannot have received it: it left before the answer was
     * written, or the write failed.
     */
    <T> void answer(RoutingContext ctx, String route, CompletionStage<T> work, Function<T, Envelope> toEnvelope,
                    Consumer<T> undelivered) {
        Context context = Vertx.currentContext();
        work.whenComplete((value, failure) -> context.runOnContext(v -> {
            // The request's log lines carry its trace id here too: this runs apart from its handler.
            try (TraceIds.Scope ignored = TraceIds.with(RequestTracing.traceId(ctx))) {
                answerNow(ctx, route, value, failure, toEnvelope, undelivered);
            }
        }));
    }

    private <T> void answerNow(RoutingContext ctx, String route, T value, Throwable failure,
                               Function<T, Envelope> toEnvelope, Consumer<T> undelivered) {
        if (failure != null) {
            fail(ctx, route, failure);
            return;
        }
        Envelope envelope;
        try {
            envelope = toEnvelope.apply(value);
        } catch (RuntimeException e) {
            fail(ctx, route, e);
            return;
        }
        write(ctx, route, envelope, 200).onFailure(e -> undelivered.accept(value));
    }

    void fail(RoutingContext ctx, String route, Throwable failure) {
        ProxyError error = ErrorMapper.toProxyError(failure);
        write(ctx, route, new Envelope(error.status(), error.getMessage(), null), 200);
    }

    /** A request the HTTP edge turns away (malformed, unknown, too large, too slow, over a bound). */
    void refuse(RoutingContext ctx, String route, ProxyError error) {
        write(ctx, route, new Envelope(error.status(), error.getMessage(), null),
            isContractRoute(route) ? 200 : error.status());
    }

    static boolean isContractRoute(String route) {
        return route.startsWith("/mq/");
    }

    /** Writes the answer; the future fails when it could not be handed to the connection. */
    Future<Void> write(RoutingContext ctx, String route, Envelope envelope, int httpStatus) {
        RequestTracing.end(ctx, envelope);
        if (ctx.response().ended() || ctx.response().closed()) {
            return Future.failedFuture("the client has gone");
        }
        int code = failuresAsHttpCodes && envelope.status() >= 400 ? envelope.status() : httpStatus;
        if (envelope.status() >= 400) {
            ctx.put(FAILURE, envelope.message() == null ? "status " + envelope.status() : envelope.message());
        }
        HttpServerResponse response = ctx.response()
            .setStatusCode(code)
            .putHeader("Content-Type", "application/json; charset=utf-8");
        if (BoundedBody.stillArriving(ctx.request())) {
            // Answered before its body was read whole: the rest is not read (ConnectionGuard closes the
            // connection), so the client must not send its next request on it.
            response.putHeader("Connection", "close");
        }
        // Read before the answer ends the request, after which the guard forgets it.
        long started = clock.startedAt(ctx);
        Future<Void> written = response.end(serialize(envelope, route));
        if (started != ConnectionGuard.UNKNOWN) {
            metrics.httpRequest(route, envelope.status(), System.nanoTime() - started);
        }
        return written;
    }

    /**
     * Room for the whole answer at once, so the buffer never grows (a copy each time): a consume answer is
     * mostly its bodies; anything else is small.
     */
    private static int sizeHint(Envelope envelope) {
        if (envelope.result() instanceof PollResult poll) {
            long bytes = 256;
            for (List<DeliveredMessage> list : List.of(poll.msgList(), poll.retryMsgList())) {
                for (DeliveredMessage m : list) {
                    bytes += m.message().jsonSizeHint() + 256;
                }
            }
            return (int) Math.min(bytes, 16 * 1024 * 1024);
        }
        return 256;
    }

    /** Answers a request that never reached a router (its head was malformed), then closes its connection. */
    static void writeAndClose(HttpServerRequest request, String route, ProxyError error, int httpStatus) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(httpStatus)
            .putHeader("Content-Type", "application/json; charset=utf-8")
            .putHeader("Connection", "close")
            .end(serialize(new Envelope(error.status(), error.getMessage(), null), route));
        response.close();
    }

    private static Buffer serialize(Envelope envelope, String route) {
        try {
            return Json.toBuffer(envelope, sizeHint(envelope));
        } catch (java.io.IOException e) {
            log.error("cannot serialize the answer to {}", LogSafe.of(route), e);
            return Buffer.buffer("{\"status\":500,\"message\":\"internal error: response not serializable\"}");
        }
    }
}
