package io.mqproxy.http;

import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}: the process answers. {@code GET /ready}: the broker answers too. These use
 * real HTTP codes (503 when not ready) because load balancers and orchestrators read them.
 */
final class HealthHandler {
    private final BooleanSupplier brokerReachable;
    private final Responder responder;

    HealthHandler(BooleanSupplier brokerReachable, Responder responder) {
        this.brokerReachable = brokerReachable;
        this.responder = responder;
    }

    void mount(Router router) {
        router.get("/health").handler(ctx -> responder.write(ctx, "/health", Envelope.ok("UP"), 200));
        router.get("/ready").handler(ctx -> {
            if (brokerReachable.getAsBoolean()) {
                responder.write(ctx, "/ready", Envelope.ok("READY"), 200);
            } else {
                responder.write(ctx, "/ready", new Envelope(503, "broker unreachable", null), 503);
            }
        });
    }
}
