package io.mqproxy.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * {@code GET /health}: the process answers. {@code GET /ready}: every topic the proxy serves can be
 * written and read, and start-up is complete. These use real HTTP codes (503 when not ready) because
 * load balancers and orchestrators read them, some with HEAD, which answers the same without a body;
 * the 503's message says what is missing.
 */
final class HealthHandler {
    private final Supplier<String> notReady;
    private final Responder responder;

    /** @param notReady why the proxy is not ready, or null when it is */
    HealthHandler(Supplier<String> notReady, Responder responder) {
        this.notReady = notReady;
        this.responder = responder;
    }

    void mount(Router router) {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
            router.route(method, "/health").handler(ctx -> responder.write(ctx, "/health", Envelope.ok("UP"), 200));
            router.route(method, "/ready").handler(this::ready);
        }
    }

    private void ready(RoutingContext ctx) {
        String why = notReady.get();
        if (why == null) {
            responder.write(ctx, "/ready", Envelope.ok("READY"), 200);
        } else {
            responder.write(ctx, "/ready", new Envelope(503, "not ready: " + why, null), 503);
        }
    }
}
