package io.mqproxy.http;

import io.mqproxy.console.ConsoleAssets;
import io.mqproxy.console.ConsoleSessions;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' web console on the admin port ({@code /console/}): its static files, the login that
 * turns an operator's token into a session cookie, and the logout. The page's calls go to the control
 * plane's own routes ({@code /admin/...}), admitted by {@link #admit} with the session cookie, and for
 * every change the session's CSRF token in a header: the console can do nothing the control API cannot,
 * and its changes are audited under the session's operator.
 *
 * <p>Without a session every console route but the login page (and the two files it loads) is refused:
 * pages redirect to the login, files and calls answer 401.
 */
final class ConsoleRoutes {
    private static final Logger log = LoggerFactory.getLogger(ConsoleRoutes.class);
    static final String PREFIX = "/console";
    /** One metrics tag for every console route: their paths are not worth a series each. */
    private static final String ROUTE = "/console";
    /** Only this origin's files, no inline script or style, no frames, no other host. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    /** How a request with a console cookie is let in to the control plane: as an operator, or refused. */
    record Admission(String operator, ProxyError refusal) {
        static final Admission NO_SESSION = new Admission(null, null);
    }

    private final ConsoleSessions sessions;
    private final ConsoleAssets assets;
    private final Responder responder;

    private final LoginThrottle logins;

    ConsoleRoutes(ConsoleSessions sessions, ConsoleAssets assets, Responder responder, LoginThrottle logins) {
        this.sessions = sessions;
        this.assets = assets;
        this.responder = responder;
        this.logins = logins;
    }

    void mount(Router router) {
        // One handler for the whole prefix: which file, which call and which refusal is decided here in one
        // place, rather than by the order of a dozen routes.
        router.routeWithRegex("^/console(/.*)?$").handler(this::handle);
    }

    /**
     * For the control plane's door: the operator of the request's console session, a refusal (a cookie
     * whose session is gone; a change without the session's CSRF token), or neither when the request
     * carries no console cookie at all.
     */
    Admission admit(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
        if (cookie == null) {
            return Admission.NO_SESSION;
        }
        Optional<ConsoleSessions.Session> session = sessions.session(cookie.getValue());
        if (session.isEmpty()) {
            return new Admission(null, Errors.unauthenticated("console session expired or unknown: log in again at "
                + PREFIX + "/login"));
        }
        if (!READS.contains(ctx.request().method())
            && !session.get().csrfMatches(ctx.request().getHeader(ConsoleSessions.CSRF_HEADER))) {
            return new Admission(null, Errors.forbidden(ConsoleSessions.CSRF_HEADER + ": a change made with a "
                + "console session must carry the session's CSRF token in this header"));
        }
        ctx.response().putHeader("Cache-Control", "no-store");
        return new Admission(session.get().operator(), null);
    }

    private void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Content-Security-Policy", CSP)
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Referrer-Policy", "no-referrer")
            .putHeader("X-Frame-Options", "DENY")
            .putHeader("Cross-Origin-Opener-Policy", "same-origin")
            .putHeader("Cross-Origin-Resource-Policy", "same-origin");
        String path = ctx.request().path();
        if (path.equals(PREFIX)) {
            redirect(ctx, PREFIX + "/");
            return;
        }
        String rest = path.substring(PREFIX.length() + 1);
        HttpMethod method = ctx.request().method();
        Optional<ConsoleSessions.Session> session = session(ctx);
        switch (rest) {
            case "api/login" -> {
                if (only(ctx, method, HttpMethod.POST)) {
                    login(ctx);
                }
            }
            case "api/session" -> {
                if (only(ctx, method, HttpMethod.GET)) {
                    session.ifPresentOrElse(s -> ok(ctx, describe(s)), () -> refuse(ctx, noSession()));
                }
            }
            case "api/logout" -> {
                if (only(ctx, method, HttpMethod.POST)) {
                    logout(ctx, session);
                }
            }
            case "", "index.html" -> {
                if (readOnly(ctx, method)) {
                    if (session.isPresent()) {
                        serve(ctx, assets.get("index.html").orElseThrow());
                    } else {
                        redirect(ctx, PREFIX + "/login");
                    }
                }
            }
            case "login", "login.html" -> {
                if (readOnly(ctx, method)) {
                    if (session.isPresent()) {
                        redirect(ctx, PREFIX + "/");
                    } else {
                        serve(ctx, assets.get("login.html").orElseThrow());
                    }
                }
            }
            default -> {
                Optional<ConsoleAssets.Asset> asset = rest.contains("/") ? Optional.empty() : assets.get(rest);
                if (asset.isPresent() && asset.get().open()) {
                    if (readOnly(ctx, method)) {
                        serve(ctx, asset.get());
                    }
                } else if (session.isEmpty()) {
                    refuse(ctx, noSession());
                } else if (asset.isEmpty()) {
                    refuse(ctx, Errors.noSuchEndpoint(method.name(), path));
                } else if (readOnly(ctx, method)) {
                    serve(ctx, asset.get());
                }
            }
        }
    }

    private void login(RoutingContext ctx) {
        String address = ClientAddress.peer(ctx);
        long wait = logins.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", Long.toString(wait));
            refuse(ctx, new ProxyError(io.mqproxy.error.Status.RATE_LIMITED, "too many failed operator logins from "
                + "this address: retry after " + wait + " s"));
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        // JSON only: a form on another site can post a form body without asking, not JSON (that needs a
        // pre-flight, which the admin port never grants), so nobody can log a browser into their session.
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            refuse(ctx, Errors.badParam("Content-Type", "send the token as application/json: {\"token\": \"...\"}"));
            return;
        }
        if (!sessions.anyOperator()) {
            refuse(ctx, Errors.unauthenticated("no operator is configured, so the console is closed: add one with "
                + "admin.operators: [{name: <you>, tokenEnv: <VARIABLE_WITH_THE_TOKEN>}] and restart"));
            return;
        }
        String token;
        try {
            RequestParams p = RequestParams.admin(ctx);
            AdminCalls.known(p, Set.of("token"));
            token = p.optional("token");
        } catch (ProxyError e) {
            refuse(ctx, e);
            return;
        }
        if (token == null || token.isBlank()) {
            refuse(ctx, Errors.missing("token"));
            return;
        }
        Optional<ConsoleSessions.Login> login = sessions.login(token);
        if (login.isEmpty()) {
            log.info("console login refused: not an operator's token (from {})", ctx.request().remoteAddress());
            logins.failed(address, "console login: not an operator's token");
            refuse(ctx, Errors.unauthenticated("token: not an operator's token"));
            return;
        }
        log.info("console login: operator {} (from {})", login.get().session().operator(),
            ctx.request().remoteAddress());
        ctx.response().addCookie(cookie(ctx, login.get().sessionId()));
        ok(ctx, describe(login.get().session()));
    }

    private void logout(RoutingContext ctx, Optional<ConsoleSessions.Session> session) {
        if (session.isEmpty()) {
            refuse(ctx, noSession());
            return;
        }
        if (!session.get().csrfMatches(ctx.request().getHeader(ConsoleSessions.CSRF_HEADER))) {
            refuse(ctx, Errors.forbidden(ConsoleSessions.CSRF_HEADER + ": a logout must carry the session's CSRF "
                + "token in this header"));
            return;
        }
        sessions.logout(ctx.request().getCookie(ConsoleSessions.COOKIE).getValue());
        log.info("console logout: operator {}", session.get().operator());
        ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
        ok(ctx, Map.of("loggedOut", session.get().operator()));
    }

    private Optional<ConsoleSessions.Session> session(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
        return cookie == null ? Optional.empty() : sessions.session(cookie.getValue());
    }

    /** HTTP-only (the page's script never sees it), same-site only, Secure when the admin port speaks TLS. */
    private static Cookie cookie(RoutingContext ctx, String value) {
        return Cookie.cookie(ConsoleSessions.COOKIE, value)
            .setPath("/")
            .setHttpOnly(true)
            .setSameSite(CookieSameSite.STRICT)
            .setSecure(ctx.request().isSSL());
    }

    private static Map<String, Object> describe(ConsoleSessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operator", s.operator());
        m.put("csrfToken", s.csrfToken());
        m.put("expiresAt", s.expiresAt());
        m.put("idleSeconds", ConsoleSessions.idleSeconds());
        return m;
    }

    private static ProxyError noSession() {
        return Errors.unauthenticated("no console session: log in at " + PREFIX + "/login");
    }

    private void serve(RoutingContext ctx, ConsoleAssets.Asset asset) {
        HttpServerResponse response = ctx.response()
            .putHeader("Content-Type", asset.contentType())
            .putHeader("ETag", asset.etag())
            // Pages: never kept (they are behind a session). Files: kept, but asked again each time (an ETag
            // check), so a new jar's files show at once without versioned names or a build step.
            .putHeader("Cache-Control", asset.html() ? "no-store" : "private, no-cache");
        String match = ctx.request().getHeader("If-None-Match");
        if (!asset.html() && asset.etag().equals(match)) {
            response.setStatusCode(304).end();
            return;
        }
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", Integer.toString(asset.bytes().length)).end();
            return;
        }
        response.end(Buffer.buffer(asset.bytes()));
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(303).putHeader("Location", to).putHeader("Cache-Control", "no-store").end();
    }

    private boolean only(RoutingContext ctx, HttpMethod method, HttpMethod allowed) {
        if (method == allowed) {
            return true;
        }
        ctx.response().putHeader("Allow", allowed.name());
        refuse(ctx, Errors.methodNotAllowed(method.name(), ctx.request().path(), allowed.name()));
        return false;
    }

    private boolean readOnly(RoutingContext ctx, HttpMethod method) {
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            return true;
        }
        ctx.response().putHeader("Allow", "GET, HEAD");
        refuse(ctx, Errors.methodNotAllowed(method.name(), ctx.request().path(), "GET, HEAD"));
        return false;
    }

    private void ok(RoutingContext ctx, Object result) {
        ctx.response().putHeader("Cache-Control", "no-store");
        responder.write(ctx, ROUTE, Envelope.ok(result), 200);
    }

    private void refuse(RoutingContext ctx, ProxyError error) {
        ctx.response().putHeader("Cache-Control", "no-store");
        responder.write(ctx, ROUTE, new Envelope(error.status(), error.getMessage(), null), error.status());
    }
}
