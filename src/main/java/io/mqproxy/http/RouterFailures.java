package io.mqproxy.http;

import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What a router answers when no handler does: no such path (404), a path that does not take the
 * method (405, listing those it takes), a request refused on its way in (the {@link ProxyError} it
 * failed with), a handler that crashed. Every status a router can fail with gets an envelope: an
 * unanswered one became Vert.x's plain-text page and an ERROR "Unhandled exception in router" line.
 */
final class RouterFailures {
    private final Responder responder;
    private final long maxBodyBytes;

    RouterFailures(Responder responder, long maxBodyBytes) {
        this.responder = responder;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Call last, once every route is mounted: the routes seen now are the ones a 405 lists. */
    void install(Router router) {
        KnownRoutes known = KnownRoutes.of(router);
        for (int status = 400; status < 600; status++) {
            int code = status;
            // The code comes from the registration: a router failing in its own matching (a path it cannot
            // decode) calls the handler with the context's status still unset.
            router.errorHandler(status, ctx -> answer(ctx, known, code));
        }
    }

    private void answer(RoutingContext ctx, KnownRoutes known, int status) {
        HttpServerRequest request = ctx.request();
        String route = known.tag(request.path());
        Throwable failure = ctx.failure();
        if (failure instanceof ProxyError refusal) {
            responder.refuse(ctx, route, refusal);
            return;
        }
        switch (status) {
            case 404 -> responder.write(ctx, KnownRoutes.UNMATCHED, envelope(
                Errors.noSuchEndpoint(request.method().name(), request.path())), 404);
            case 405 -> {
                String allowed = known.allowed(request.path());
                ctx.response().putHeader("Allow", allowed);
                responder.write(ctx, route, envelope(
                    Errors.methodNotAllowed(request.method().name(), request.path(), allowed)), 405);
            }
            case 413 -> responder.refuse(ctx, route, Errors.bodyTooLarge(maxBodyBytes));
            default -> {
                if (status >= 400 && status < 500) {
                    // Vert.x's own refusals, e.g. a path it cannot decode.
                    responder.refuse(ctx, route, Errors.malformedRequest(
                        failure == null ? null : failure.getMessage()));
                } else {
                    // A crash: ErrorMapper logs it (a bug is worth a stack trace) and hides its details.
                    responder.refuse(ctx, route, ErrorMapper.toProxyError(
                        failure != null ? failure : Errors.internal("request failed with " + status, null)));
                }
            }
        }
    }

    private static Envelope envelope(ProxyError error) {
        return new Envelope(error.status(), error.getMessage(), null);
    }
}
