package io.mqproxy.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.mqproxy.config.ProxyConfig;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Cross-origin access for browsers: which origins may call, with credentials (the cookie of
 * {@code useCookie}), and the pre-flight answer. An allowed origin is echoed whatever its scheme: the
 * contract lets any origin call, and browser extensions ({@code chrome-extension://}), hybrid apps
 * ({@code capacitor://localhost}) and sandboxed or file pages ({@code null}) are origins too. Vert.x's
 * CorsHandler, even open to all, checks an origin for http(s) URL syntax and refused those with a
 * plain-text 403.
 *
 * <p>A refused origin gets no CORS headers (its browser then hides the answer); the request itself is
 * still served, as for any client that is not a browser.
 */
final class CorsPolicy implements Handler<RoutingContext> {
    private static final String METHODS = "GET, HEAD, POST, OPTIONS";
    private static final String MAX_AGE_SECONDS = "3600";

    private final Predicate<String> allowedOrigin;
    private final boolean allowCredentials;

    private CorsPolicy(Predicate<String> allowedOrigin, boolean allowCredentials) {
        this.allowedOrigin = allowedOrigin;
        this.allowCredentials = allowCredentials;
    }

    /** What the contract asks of the data plane: every origin, with credentials. */
    static CorsPolicy anyOrigin() {
        return new CorsPolicy(origin -> true, true);
    }

    /** As configured: {@code *} for any origin, else exactly the origins listed (commas between). */
    static CorsPolicy of(ProxyConfig.Cors cors) {
        String origins = cors.allowedOrigins().trim();
        if (origins.equals("*")) {
            return new CorsPolicy(origin -> true, cors.allowCredentials());
        }
        Set<String> allowed = new HashSet<>();
        for (String o : origins.split(",")) {
            if (!o.isBlank()) {
                allowed.add(o.trim().toLowerCase(Locale.ROOT));
            }
        }
        return new CorsPolicy(origin -> allowed.contains(origin.toLowerCase(Locale.ROOT)), cors.allowCredentials());
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        // The answer depends on the Origin (echoed or not), so caches must key on it.
        response.headers().add("Vary", "Origin");
        String origin = request.getHeader("Origin");
        if (origin == null || origin.isEmpty() || !echoable(origin) || !allowedOrigin.test(origin)) {
            ctx.next();
            return;
        }
        response.putHeader("Access-Control-Allow-Origin", origin);
        if (allowCredentials) {
            response.putHeader("Access-Control-Allow-Credentials", "true");
        }
        if (request.method() != HttpMethod.OPTIONS || request.getHeader("Access-Control-Request-Method") == null) {
            ctx.next();
            return;
        }
        response.putHeader("Access-Control-Allow-Methods", METHODS)
            .putHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
        String requested = request.getHeader("Access-Control-Request-Headers");
        if (requested != null && echoable(requested)) {
            // Credentials rule out "*": the headers asked for are allowed by naming them back.
            response.putHeader("Access-Control-Allow-Headers", requested);
            response.headers().add("Vary", "Access-Control-Request-Headers");
        }
        response.setStatusCode(204).putHeader("Content-Length", "0").end();
    }

    /**
     * Origins are ASCII; anything else (obs-text, control characters) is not a browser's origin and must
     * not be copied into a response header.
     */
    private static boolean echoable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
