package io.mqproxy.http;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.consume.PollRequest;
import io.mqproxy.consume.Polled;
import io.mqproxy.error.ProxyError;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * {@code /mq/message}, {@code /mq/ack}, {@code /mq/unlock} and the extension {@code /mq/nack}, by GET
 * or POST. With {@code useCookie=true} the requestId travels in a cookie named for the consumer.
 */
final class ConsumeHandler {
    static final String MESSAGE = "/mq/message";
    static final String ACK = "/mq/ack";
    static final String UNLOCK = "/mq/unlock";
    static final String NACK = "/mq/nack";
    private static final int MAX_CONSUME_TIMEOUT = ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS;

    private final ConsumeService service;
    private final Responder responder;

    private final DataAccess access;

    ConsumeHandler(ConsumeService service, Responder responder, DataAccess access) {
        this.service = service;
        this.responder = responder;
        this.access = access;
    }

    void mount(Router router) {
        for (String path : new String[] {MESSAGE, ACK, UNLOCK, NACK}) {
            router.get(path).handler(this::handle);
            router.post(path).handler(this::handle);
        }
    }

    private void handle(RoutingContext ctx) {
        String route = ctx.currentRoute().getPath();
        PollRequest request;
        boolean useCookie;
        Integer delay = null;
        try {
            RequestParams p = RequestParams.of(ctx);
            useCookie = p.bool("useCookie", false);
            String requestId = p.string("requestId");
            String consumer = p.optional("consumer");
            if (consumer != null) {
                access.requireConsumer(ctx, consumer);
            }
            if (requestId == null && useCookie && consumer != null) {
                Cookie cookie = ctx.request().getCookie(cookieName(consumer));
                requestId = cookie == null ? null : cookie.getValue();
            }
            HttpServerResponse response = ctx.response();
            request = new PollRequest(consumer, p.optional("topic"), requestId, p.bool("pop"), p.string("clientId"),
                p.integer("maxPullSize", 1, 128), p.integer("consumeTimeout", 1, MAX_CONSUME_TIMEOUT),
                p.integer("pullTimeout", 0, 60), response::closed);
            if (route.equals(NACK)) {
                delay = p.integer("delay", 0, MAX_CONSUME_TIMEOUT);
            }
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        RequestTracing.span(ctx).consumerGroup(request.consumer()).destination(request.topic());
        switch (route) {
            case MESSAGE -> responder.answer(ctx, route, service.poll(request), useCookie ? cookieSetter(ctx,
                request.consumer()) : polled -> Envelope.ok(polled.wire()), service::returnUndelivered);
            case ACK -> responder.answer(ctx, route, service.ack(request), Envelope::ok);
            case UNLOCK -> responder.answer(ctx, route, service.release(request, 0), Envelope::ok);
            default -> responder.answer(ctx, route, service.release(request, delay == null ? 0 : delay), Envelope::ok);
        }
    }

    /**
     * The answer of a poll whose client keeps its requestId in a cookie. A long poll holds what its answer
     * needs while it waits, so a poll without cookies holds nothing of its request.
     */
    private static Function<Polled, Envelope> cookieSetter(RoutingContext ctx, String consumer) {
        return result -> {
            ctx.response().addCookie(Cookie.cookie(cookieName(consumer), result.requestId())
                .setPath("/mq")
                .setHttpOnly(true)
                .setSameSite(CookieSameSite.LAX)
                // Over TLS the requestId (it acks the batch) is never sent back in clear.
                .setSecure(ctx.request().isSSL()));
            return Envelope.ok(result.wire());
        };
    }

    /** Group names use only cookie-safe characters, so one cookie per consumer needs no escaping. */
    static String cookieName(String consumer) {
        return "mqproxy-requestId-" + consumer;
    }
}
