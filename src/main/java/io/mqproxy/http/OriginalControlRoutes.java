package io.mqproxy.http;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.control.GroupCommands;
import io.mqproxy.control.OperationCommands;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The original MQ-Proxy's control routes, with its field names and ranges, so that an operator
 * console written for it (MQCloud) can drive this proxy. On the admin port, behind the same
 * operator token as {@code /admin/}; each maps onto the control service.
 */
final class OriginalControlRoutes {
    private static final Set<String> CONFIG_FIELDS = Set.of("consumer", "maxPullSize", "consumeTimeoutInMillis",
        "pullTimeoutInMillis", "pause", "rateLimitEnabled", "limitRate", "clientId", "resetOffsetTimestamp",
        "retryMsgId");

    /** Its routes, behind the operator's door like those under {@code /admin/} ({@link AdminRoutes} mounts it). */
    static final List<String> PATHS = List.of("/mq/consumer/config", "/mq/config/*", "/mq/clustering/queue/offset",
        "/mq/broadcast/queue/offset", "/mq/unregister");

    private final GroupCommands control;
    private final OperationCommands operations;
    private final AdminCalls calls;

    OriginalControlRoutes(GroupCommands control, OperationCommands operations, AdminCalls calls) {
        this.control = control;
        this.operations = operations;
        this.calls = calls;
    }

    void mount(Router router) {
        router.post("/mq/consumer/config").handler(this::config);
        router.get("/mq/config/:consumer").handler(ctx -> calls.call(ctx, p -> CompletableFuture.completedFuture(
            describe(control.group(ctx.pathParam("consumer")).group()))));
        router.get("/mq/clustering/queue/offset").handler(ctx -> calls.call(ctx, p -> {
            ConsumerGroup g = control.group(p.required("consumer")).group();
            if (g.broadcast()) {
                throw Errors.badParam("consumer", "'" + g.name() + "' is a broadcast consumer: use "
                    + "/mq/broadcast/queue/offset");
            }
            return control.queues(g.name(), null).thenApply(byClient -> byClient.get(""));
        }));
        router.get("/mq/broadcast/queue/offset").handler(ctx -> calls.call(ctx, p -> {
            ConsumerGroup g = control.group(p.required("consumer")).group();
            if (!g.broadcast()) {
                throw Errors.badParam("consumer", "'" + g.name() + "' is a clustering consumer: use "
                    + "/mq/clustering/queue/offset");
            }
            return control.queues(g.name(), p.optional("clientId"));
        }));
        router.post("/mq/unregister").handler(ctx -> calls.call(ctx, p -> control.unregisterGroup(
            AdminCalls.actor(ctx), p.required("consumer")).thenApply(v -> (Object) null)));
    }

    /**
     * Applies what the request names, in this order: settings (one change), then the offset reset, then
     * the re-delivery. Each is audited on its own.
     */
    private void config(RoutingContext ctx) {
        calls.call(ctx, p -> {
            AdminCalls.known(p, CONFIG_FIELDS);
            String consumer = p.required("consumer");
            Integer maxPullSize = p.integer("maxPullSize", 1, 128);
            Integer consumeMillis = p.integer("consumeTimeoutInMillis", 10_000,
                ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS * 1000);
            Integer pullMillis = p.integer("pullTimeoutInMillis", 1_000, 60_000);
            Boolean pause = p.bool("pause");
            Boolean limited = p.bool("rateLimitEnabled");
            Integer rate = p.integer("limitRate", 1, GroupRules.MAX_RATE_LIMIT);
            String clientId = p.optional("clientId");
            String reset = p.optional("resetOffsetTimestamp");
            Long resetTo = reset == null ? null : AdminCalls.timestamp("resetOffsetTimestamp", reset);
            String retryMsgId = p.optional("retryMsgId");
            int current = control.group(consumer).group().rateLimit();
            Integer rateLimit = null;
            if (Boolean.FALSE.equals(limited)) {
                rateLimit = 0;
            } else if (Boolean.TRUE.equals(limited)) {
                rateLimit = rate != null ? rate : current;
                if (rateLimit == 0) {
                    throw Errors.badParam("limitRate", "is required to enable the rate limit (messages per second, "
                        + ">= 1)");
                }
            } else if (rate != null) {
                if (current == 0) {
                    throw Errors.badParam("limitRate", "the rate limit is off: send rateLimitEnabled=1 with it");
                }
                rateLimit = rate;
            }
            GroupChange change = GroupChange.NOTHING
                .and(maxPullSize, GroupChange::maxPullSize)
                .and(consumeMillis == null ? null : (consumeMillis + 999) / 1000, GroupChange::consumeTimeoutSeconds)
                .and(pullMillis == null ? null : (pullMillis + 999) / 1000, GroupChange::pullTimeoutSeconds)
                .and(pause, GroupChange::pause)
                .and(rateLimit, GroupChange::rateLimit);
            CompletableFuture<?> steps = change.isEmpty() ? CompletableFuture.completedFuture(null)
                : control.changeGroup(AdminCalls.actor(ctx), consumer, change);
            if (resetTo != null) {
                steps = steps.thenCompose(v -> operations.reset(AdminCalls.actor(ctx), consumer, clientId, resetTo));
            }
            if (retryMsgId != null) {
                steps = steps.thenCompose(v -> operations.redeliver(AdminCalls.actor(ctx), consumer, clientId,
                    retryMsgId));
            }
            return steps.thenApply(v -> (Object) null);
        });
    }

    /** A consumer's settings in the original's words. */
    private static Map<String, Object> describe(ConsumerGroup g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("consumer", g.name());
        m.put("topic", g.topic());
        m.put("mode", g.broadcast() ? "BROADCASTING" : "CLUSTERING");
        m.put("maxPullSize", g.settings().maxPullSize());
        m.put("consumeTimeoutInMillis", g.settings().consumeTimeoutSeconds() * 1000L);
        m.put("pullTimeoutInMillis", g.settings().pullTimeoutSeconds() * 1000L);
        m.put("pause", g.paused() ? 1 : 0);
        m.put("rateLimitEnabled", g.rateLimit() > 0 ? 1 : 0);
        m.put("limitRate", g.rateLimit());
        return m;
    }
}
