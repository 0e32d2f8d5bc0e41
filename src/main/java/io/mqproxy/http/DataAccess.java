package io.mqproxy.http;

import io.mqproxy.error.ProxyError;
import io.mqproxy.error.Status;
import io.mqproxy.security.DataAuthenticator;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * The data plane's credential check, when credentials are required: after the body is read (a signed
 * request signs its body), before any handler. Who called is kept on the request; the handlers then
 * check that the caller may use the producer or group it names. Refusals are envelopes: 401 for no or
 * a bad credential, 403 for another group's, 503 (with Retry-After) when a signed request cannot be
 * remembered to refuse its replay.
 */
final class DataAccess implements Handler<RoutingContext> {
    private static final String PRINCIPAL = "mqproxy.principal";

    private final DataAuthenticator authenticator;
    private final Responder responder;

    DataAccess(DataAuthenticator authenticator, Responder responder) {
        this.authenticator = authenticator;
        this.responder = responder;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!authenticator.required() || !ctx.request().path().startsWith("/mq/")) {
            ctx.next(); // health, readiness and the API description stay open
            return;
        }
        long now = authenticator.nowMillis();
        try {
            Buffer body = BoundedBody.of(ctx);
            DataAuthenticator.Principal principal = authenticator.authenticate(ctx.request().method().name(),
                ctx.request().path(), ctx.request().query(), body.length() == 0 ? null : body.getBytes(),
                ctx.request()::getHeader, now);
            ctx.put(PRINCIPAL, principal);
        } catch (ProxyError e) {
            if (e.status() == Status.OVERLOADED) {
                ctx.response().putHeader("Retry-After", Long.toString(authenticator.retryAfterSeconds(now)));
            }
            responder.refuse(ctx, ctx.request().path(), e);
            return;
        }
        ctx.next();
    }

    /** Refuses (403) a caller whose credential does not grant this producer. */
    void requireProducer(RoutingContext ctx, String producer) {
        authenticator.requireProducer(ctx.get(PRINCIPAL), producer);
    }

    /** Refuses (403) a caller whose credential does not grant this consumer group. */
    void requireConsumer(RoutingContext ctx, String consumer) {
        authenticator.requireConsumer(ctx.get(PRINCIPAL), consumer);
    }
}
