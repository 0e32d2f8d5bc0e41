package io.mqproxy.http;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.push.StreamRequest;
import io.mqproxy.push.StreamService;
import io.mqproxy.push.StreamSink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /mq/stream} (issue 12): a {@code text/event-stream} response kept open, one event per
 * message, its id the message's ack token. Errors found before the stream opens (unknown group, bad
 * parameter, a paused group, too many streams) are envelopes like every {@code /mq/} answer; CORS is the
 * data plane's.
 */
final class StreamHandler {
    static final String STREAM = "/mq/stream";
    private static final int MAX_CONSUME_TIMEOUT = ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS;

    private final StreamService streams;
    private final Responder responder;
    private final DataAccess access;

    StreamHandler(StreamService streams, Responder responder, DataAccess access) {
        this.streams = streams;
        this.responder = responder;
        this.access = access;
    }

    void mount(Router router) {
        router.get(STREAM).handler(this::open);
    }

    private void open(RoutingContext ctx) {
        StreamRequest request;
        try {
            RequestParams p = RequestParams.of(ctx);
            String consumer = p.optional("consumer");
            if (consumer != null) {
                access.requireConsumer(ctx, consumer);
            }
            String ack = p.optional("ack");
            if (ack != null && !ack.equals("auto") && !ack.equals("client")) {
                throw Errors.badParam("ack", "must be client (the default: ack each event's id with /mq/ack) or auto "
                    + "(acked once written), got '" + ack + "'");
            }
            String lastEventId = ctx.request().getHeader("Last-Event-ID");
            request = new StreamRequest(consumer, p.optional("topic"), p.string("clientId"),
                "auto".equals(ack), p.integer("maxUnacked", 1, streams.maxUnacked()),
                p.integer("consumeTimeout", 1, MAX_CONSUME_TIMEOUT),
                lastEventId != null && !lastEventId.isEmpty() ? lastEventId : p.optional("lastEventId"));
        } catch (ProxyError e) {
            responder.fail(ctx, STREAM, e);
            return;
        }
        Context context = Vertx.currentContext();
        streams.begin(request).whenComplete((first, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                responder.fail(ctx, STREAM, failure);
                return;
            }
            HttpServerResponse response = ctx.response();
            if (response.closed() || response.ended()) {
                streams.abandon(first);
                return;
            }
            response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                // Reverse proxies (nginx) must pass events on as they come, not buffer them.
                .putHeader("X-Accel-Buffering", "no");
            Runnable close = streams.start(request, first, new ResponseSink(response), context);
            // The router's end handlers, not the response's own: those are the router's, and it counts
            // requests in flight and connection deadlines by them. They run once, on end or on close.
            ctx.addEndHandler(ended -> close.run());
            if (response.closed()) {
                close.run();
            }
        }));
    }

    /** The response as a stream writes it. */
    private record ResponseSink(HttpServerResponse response) implements StreamSink {
        @Override
        public CompletableFuture<Void> write(String text) {
            if (response.closed() || response.ended()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the client has gone"));
            }
            return response.write(text).toCompletionStage().toCompletableFuture();
        }

        @Override
        public boolean full() {
            return response.writeQueueFull();
        }

        @Override
        public void onDrain(Runnable then) {
            response.drainHandler(v -> then.run());
        }

        @Override
        public void end() {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
