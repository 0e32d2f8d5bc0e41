package io.mqproxy.http;

import static io.mqproxy.http.AdminCalls.ACTOR;
import static io.mqproxy.http.AdminCalls.PREFIX;
import static io.mqproxy.http.AdminCalls.known;
import static io.mqproxy.http.AdminCalls.orDefault;
import static io.mqproxy.http.AdminCalls.range;

import io.mqproxy.control.Actor;
import io.mqproxy.control.AuditedCalls;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.error.Errors;
import io.mqproxy.log.LogSafe;
import io.mqproxy.error.ProxyError;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The control plane, on the admin port only: every route under {@code /admin/} (and the original
 * MQ-Proxy's control routes under {@code /mq/}) needs an operator's bearer token. Answers are
 * envelopes whose HTTP code is the envelope's status, as operators' tools (curl -f, scripts) expect.
 * This class is the door (who calls, audited when refused) and the audit log's route; the routes of each
 * kind of command are in their own class (GroupRoutes, OperationRoutes, ...), sharing {@link AdminCalls}.
 */
final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Set<io.vertx.core.http.HttpMethod> READS = Set.of(io.vertx.core.http.HttpMethod.GET,
        io.vertx.core.http.HttpMethod.HEAD, io.vertx.core.http.HttpMethod.OPTIONS);

    private final AuditedCalls control;
    private final OperatorCredentials operators;
    private final Responder responder;
    /** The operators' web console calls these routes with a session cookie instead of a token (issue 13). */
    private final ConsoleRoutes console;

    /** Failed logins per source address: too many within a window, and the address waits (429). */
    private final LoginThrottle logins;

    AdminRoutes(AuditedCalls control, OperatorCredentials operators, Responder responder, ConsoleRoutes console,
                LoginThrottle logins) {
        this.control = control;
        this.operators = operators;
        this.responder = responder;
        this.console = console;
        this.logins = logins;
    }

    void mount(Router router) {
        router.route(PREFIX + "/*").handler(this::authenticate);
        for (String path : OriginalControlRoutes.PATHS) {
            router.route(path).handler(this::authenticate);
        }
        router.get(PREFIX + "/audit").handler(this::audit);
    }

    // ---- the door

    void authenticate(RoutingContext ctx) {
        String given = ctx.request().getHeader("X-Request-Id");
        String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.response().putHeader("X-Request-Id", requestId);
        String address = ClientAddress.peer(ctx);
        long wait = logins.retryAfterSeconds(address);
        if (wait > 0) {
            tooManyFailures(ctx, responder, wait);
            return;
        }
        if (!operators.any()) {
            unauthorized(ctx, "no operator is configured, so the control plane is closed: add one with "
                + "admin.operators: [{name: <you>, tokenEnv: <VARIABLE_WITH_THE_TOKEN>}] and restart");
            return;
        }
        Optional<String> operator = operators.authenticate(ctx.request().getHeader("Authorization"));
        if (operator.isEmpty() && console != null) {
            ConsoleRoutes.Admission admission = console.admit(ctx);
            if (admission.refusal() != null) {
                // A session gone or a change without its CSRF token: no token was guessed, so it does not count
                // against the address (a page of another site must not lock the operator out); audited, bounded.
                logins.refused(address, ctx.request().method().name() + " " + bounded(ctx.request().path()) + ": "
                    + admission.refusal().getMessage());
                responder.fail(ctx, "admin", admission.refusal());
                return;
            }
            operator = Optional.ofNullable(admission.operator());
        }
        if (operator.isEmpty()) {
            try (var ignored = MDC.putCloseable("requestId", requestId)) {
                log.info("control call refused: no valid operator token ({} {})", ctx.request().method(),
                    LogSafe.of(ctx.request().path()));
            }
            String call = ctx.request().method().name() + " " + bounded(ctx.request().path());
            if (ctx.request().getHeader("Authorization") != null) {
                logins.failed(address, "not an operator's token (" + call + ")"); // a try: it counts
            } else {
                logins.refused(address, "no operator's token (" + call + ")");
            }
            unauthorized(ctx, "Authorization: an operator's token is required, as 'Authorization: Bearer <token>'");
            return;
        }
        Actor actor = new Actor(operator.get(), requestId);
        ctx.put(ACTOR, actor);
        if (!READS.contains(ctx.request().method())) {
            ctx.addEndHandler(ended -> auditIfRefused(ctx, actor, address));
        }
        ctx.next();
    }

    /** 429 with Retry-After: the address failed to log in too often within the throttle's window. */
    static void tooManyFailures(RoutingContext ctx, Responder responder, long retryAfterSeconds) {
        ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
        responder.fail(ctx, "admin", new ProxyError(io.mqproxy.error.Status.RATE_LIMITED, "too many failed operator "
            + "logins from this address: retry after " + retryAfterSeconds + " s"));
    }

    /**
     * A change answered with a failure that the control service did not record itself (turned away by
     * validation, an unknown group, a malformed body): recorded here, with the reason, as the audit
     * promises for every change "whether it succeeded or not".
     */
    private void auditIfRefused(RoutingContext ctx, Actor actor, String address) {
        String failure = ctx.get(Responder.FAILURE);
        if (failure == null || actor.wasFailureAudited()) {
            return;
        }
        control.auditRefusal(actor, address, action(ctx), target(ctx), "refused: " + failure);
    }

    /** The audit's action of a call the edge records: its method and route, e.g. "POST /admin/producers". */
    private static String action(RoutingContext ctx) {
        String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? ctx.request().path()
            : ctx.currentRoute().getPath();
        return ctx.request().method().name() + " " + (route.length() > 200 ? route.substring(0, 200) : route);
    }

    /** The audit's target of a call the edge records: the path's group, producer or id, else the body's name. */
    private static String target(RoutingContext ctx) {
        for (String param : List.of("group", "producer", "id", "consumer")) {
            String value = ctx.pathParam(param);
            if (value != null) {
                return bounded(value);
            }
        }
        try {
            RequestParams p = RequestParams.of(ctx);
            for (String param : List.of("name", "consumer", "id")) {
                String value = p.optional(param);
                if (value != null) {
                    return bounded(value);
                }
            }
        } catch (RuntimeException unreadable) {
            // the body is what was refused: no target to name
        }
        return null;
    }

    private static String bounded(String value) {
        return value.length() > 200 ? value.substring(0, 200) + "..." : value;
    }

    private void unauthorized(RoutingContext ctx, String why) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mq-proxy control plane\"");
        responder.fail(ctx, "admin", Errors.unauthenticated(why));
    }

    // ---- handlers

    /**
     * The audit log, a page at a time: {@code result} is the page's records (newest first) as before, and
     * {@code page} beside it says where the next page starts ({@code cursor}), how many messages this one
     * looked at, and how many records failed their MAC ({@code forged}; shown, flagged, with forged=true).
     */
    private void audit(RoutingContext ctx) {
        String route = ctx.currentRoute().getPath();
        CompletableFuture<io.mqproxy.control.AuditPage> work;
        try {
            RequestParams p = RequestParams.of(ctx);
            known(p, Set.of("target", "limit", "since", "until", "cursor", "forged"));
            long since = p.optional("since") == null ? 0 : range("since", p.optional("since"));
            long until = p.optional("until") == null ? Long.MAX_VALUE : range("until", p.optional("until"));
            if (until < since) {
                throw Errors.badParam("until", "must not be before since");
            }
            String cursor = p.optional("cursor");
            if (cursor != null && cursor.isBlank()) {
                throw Errors.badParam("cursor", "must not be empty: leave it out for the newest page");
            }
            work = control.audit(p.optional("target"), since, until, orDefault(p.integer("limit", 1, 1000), 100),
                cursor, p.bool("forged", false));
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        responder.answer(ctx, route, work, page -> {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("cursor", page.cursor());
            info.put("more", page.cursor() != null);
            info.put("scanned", page.scanned());
            info.put("forged", page.forged());
            info.put("unsigned", page.unsigned());
            return new Envelope(200, null, page.records(), info);
        });
    }
}
