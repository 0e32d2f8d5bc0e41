package io.mqproxy.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}: the process answers. {@code GET /ready}: the broker answers too. These use
 * real HTTP codes (503 when not ready) because load balancers and orchestrators read them, some with
 * HEAD, which answers the same without a body.
 */
final class HealthHandler {
    private final BooleanSupplier brokerReachable;
    private final Responder responder;

    HealthHandler(BooleanSupplier brokerReachable, Responder responder) {
        this.brokerReachable = brokerReachable;
        this.responder = responder;
    }

    void mount(Router router) {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
            router.route(method, "/health").handler(ctx -> responder.write(ctx, "/health", Envelope.ok("UP"), 200));
            router.route(method, "/ready").handler(this::ready);
        }
    }

    private void ready(RoutingContext ctx) {
        if (brokerReachable.getAsBoolean()) {
            responder.write(ctx, "/ready", Envelope.ok("READY"), 200);
        } else {
            responder.write(ctx, "/ready", new Envelope(503, "broker unreachable", null), 503);
        }
    }
}
