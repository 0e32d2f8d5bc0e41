package io.mqproxy.http;

import io.vertx.ext.web.RoutingContext;

/** The calling client's IP: as it says, else as the load balancer says, else the peer address. */
final class ClientAddress {
    private ClientAddress() {
    }

    static String of(RoutingContext ctx, RequestParams p) {
        String given = p.optional("clientIp");
        if (given != null) {
            return given;
        }
        String forwarded = ctx.request().getHeader("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            int comma = forwarded.indexOf(',');
            return (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
        }
        return peer(ctx);
    }

    /**
     * The address the connection comes from, whatever the request says: for decisions a client must not
     * steer (the login throttle), where a header naming another address would let it pick a fresh one
     * for every try.
     */
    static String peer(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().host();
    }
}
