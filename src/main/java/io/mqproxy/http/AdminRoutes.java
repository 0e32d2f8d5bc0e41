package io.mqproxy.http;

import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.control.Actor;
import io.mqproxy.control.ControlService;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The control plane, on the admin port only: every route under {@code /admin/} needs an operator's
 * bearer token. Answers are envelopes whose HTTP code is the envelope's status, as operators' tools
 * (curl -f, scripts) expect.
 */
final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    static final String PREFIX = "/admin";
    private static final String ACTOR = "mqproxy.actor";
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ControlService control;
    private final OperatorCredentials operators;
    private final Responder responder;

    AdminRoutes(ControlService control, OperatorCredentials operators, Responder responder) {
        this.control = control;
        this.operators = operators;
        this.responder = responder;
    }

    void mount(Router router) {
        router.route(PREFIX + "/*").handler(this::authenticate);
        router.get(PREFIX + "/groups").handler(this::groups);
        router.post(PREFIX + "/groups/:group/release-held-queues").handler(this::releaseHeldQueues);
    }

    private void authenticate(RoutingContext ctx) {
        String given = ctx.request().getHeader("X-Request-Id");
        String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.response().putHeader("X-Request-Id", requestId);
        String route = ctx.request().path();
        if (!operators.any()) {
            respondUnauthorized(ctx, "no operator is configured, so the control plane is closed: add one with "
                + "admin.operators: [{name: <you>, tokenEnv: <VARIABLE_WITH_THE_TOKEN>}] and restart");
            return;
        }
        Optional<String> operator = operators.authenticate(ctx.request().getHeader("Authorization"));
        if (operator.isEmpty()) {
            try (var ignored = MDC.putCloseable("requestId", requestId)) {
                log.info("control call refused: no valid operator token ({} {})", ctx.request().method(), route);
            }
            respondUnauthorized(ctx, "Authorization: an operator's token is required, as 'Authorization: Bearer "
                + "<token>'");
            return;
        }
        ctx.put(ACTOR, new Actor(operator.get(), requestId));
        ctx.next();
    }

    private void respondUnauthorized(RoutingContext ctx, String why) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mq-proxy control plane\"");
        responder.fail(ctx, "admin", Errors.unauthenticated(why));
    }

    private void groups(RoutingContext ctx) {
        List<Map<String, Object>> groups = control.groups().stream().map(AdminRoutes::describe).toList();
        responder.write(ctx, PREFIX + "/groups", Envelope.ok(groups), 200);
    }

    private static Map<String, Object> describe(ConsumerGroup g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("topic", g.topic());
        m.put("settings", g.settings());
        m.put("consumeTimeoutCap", g.consumeTimeoutCap());
        return m;
    }

    private void releaseHeldQueues(RoutingContext ctx) {
        String route = PREFIX + "/groups/:group/release-held-queues";
        String clientId;
        String broker;
        Integer queueId;
        try {
            RequestParams p = RequestParams.of(ctx);
            clientId = p.optional("clientId");
            broker = p.optional("broker");
            queueId = p.integer("queueId", 0, 65_535);
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        responder.answer(ctx, route, control.releaseHeldQueues(ctx.get(ACTOR), ctx.pathParam("group"), clientId,
            broker, queueId), released -> Envelope.ok(Map.of("released", released)));
    }
}
