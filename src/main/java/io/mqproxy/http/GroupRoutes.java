package io.mqproxy.http;

import static io.mqproxy.http.AdminCalls.PREFIX;
import static io.mqproxy.http.AdminCalls.actor;
import static io.mqproxy.http.AdminCalls.done;
import static io.mqproxy.http.AdminCalls.group;
import static io.mqproxy.http.AdminCalls.known;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.control.GroupCommands;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.GroupOverrides;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups and producers on the admin port ({@link GroupCommands}): the views, registering and
 * unregistering, a group's settings (pause and resume among them), a producer's schema, topic creation,
 * and the instances the brokers see.
 */
final class GroupRoutes {
    private static final Set<String> SETTINGS = Set.copyOf(GroupOverrides.SETTINGS);

    private final GroupCommands control;
    private final AdminCalls calls;

    GroupRoutes(GroupCommands control, AdminCalls calls) {
        this.control = control;
        this.calls = calls;
    }

    void mount(Router router) {
        router.get(PREFIX + "/groups").handler(ctx -> calls.ok(ctx,
            control.groups().stream().map(GroupRoutes::summary).toList()));
        router.post(PREFIX + "/groups").handler(this::registerGroup);
        router.get(PREFIX + "/groups/:group").handler(ctx -> calls.call(ctx, p -> done(control.group(group(ctx)))));
        router.patch(PREFIX + "/groups/:group").handler(this::changeGroup);
        router.delete(PREFIX + "/groups/:group").handler(ctx -> calls.call(ctx, p -> control.unregisterGroup(actor(ctx),
            group(ctx)).thenApply(v -> Map.of("unregistered", group(ctx)))));
        router.post(PREFIX + "/groups/:group/pause").handler(ctx -> pause(ctx, true));
        router.post(PREFIX + "/groups/:group/resume").handler(ctx -> pause(ctx, false));
        router.get(PREFIX + "/groups/:group/queues").handler(ctx -> calls.call(ctx, p -> control.queues(group(ctx),
            p.optional("clientId"))));
        router.get(PREFIX + "/groups/:group/clients").handler(ctx -> calls.call(ctx, p -> control.clients(group(ctx))));
        router.get(PREFIX + "/producers").handler(ctx -> calls.ok(ctx, control.producers()));
        router.post(PREFIX + "/producers").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("name", "topic"));
            return control.registerProducer(actor(ctx), p.required("name"), p.required("topic"));
        }));
        router.put(PREFIX + "/producers/:producer/schema").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("schema"));
            JsonNode schema = p.jsonValue("schema");
            if (schema == null || !schema.isObject()) {
                throw Errors.badParam("schema", "is required: a JSON Schema object (draft 2020-12); DELETE clears it");
            }
            return control.setProducerSchema(actor(ctx), ctx.pathParam("producer"), schema);
        }));
        router.delete(PREFIX + "/producers/:producer/schema").handler(ctx -> calls.call(ctx, p ->
            control.setProducerSchema(actor(ctx), ctx.pathParam("producer"), null)));
        router.delete(PREFIX + "/producers/:producer").handler(ctx -> calls.call(ctx, p -> control.unregisterProducer(
            actor(ctx), ctx.pathParam("producer")).thenApply(v -> Map.of("unregistered", ctx.pathParam("producer")))));
        router.post(PREFIX + "/topics").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("name", "queues"));
            return control.createTopic(actor(ctx), p.required("name"), p.integer("queues", 1, 1024));
        }));
        router.get(PREFIX + "/instances").handler(ctx -> calls.ok(ctx, control.instances()));
    }


    private void registerGroup(RoutingContext ctx) {
        calls.call(ctx, p -> {
            Set<String> allowed = new java.util.HashSet<>(SETTINGS);
            allowed.addAll(Set.of("name", "topic", "mode", "pop"));
            known(p, allowed);
            return control.registerGroup(actor(ctx), p.required("name"), p.required("topic"), mode(p), p.bool("pop"),
                groupChange(p));
        });
    }

    private void changeGroup(RoutingContext ctx) {
        calls.call(ctx, p -> {
            for (String fixed : List.of("topic", "mode", "pop", "name")) {
                if (p.names().contains(fixed)) {
                    throw Errors.badParam(fixed, "is fixed when a group is registered: the broker cannot switch a "
                        + "group's mode while batches are out; register a new group instead");
                }
            }
            known(p, SETTINGS);
            return control.changeGroup(actor(ctx), group(ctx), groupChange(p)).thenApply(GroupRoutes::summary);
        });
    }

    private void pause(RoutingContext ctx, boolean paused) {
        calls.call(ctx, p -> {
            known(p, Set.of());
            return control.changeGroup(actor(ctx), group(ctx), GroupChange.pause(paused)).thenApply(GroupRoutes::summary);
        });
    }

    // ---- shapes

    static Map<String, Object> summary(ConsumerGroup g) {
        ProxyConfig.GroupSettings s = g.settings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("topic", g.topic());
        m.put("mode", g.mode().name().toLowerCase());
        m.put("pop", g.pop());
        m.put("paused", g.paused());
        m.put("rateLimit", g.rateLimit());
        m.put("maxPullSize", s.maxPullSize());
        m.put("consumeTimeoutSeconds", s.consumeTimeoutSeconds());
        m.put("minConsumeTimeoutSeconds", s.minConsumeTimeoutSeconds());
        m.put("maxConsumeTimeoutSeconds", s.maxConsumeTimeoutSeconds());
        m.put("consumeTimeoutCap", g.consumeTimeoutCap());
        m.put("pullTimeoutSeconds", s.pullTimeoutSeconds());
        m.put("maxRetries", s.maxRetries());
        if (g.broadcast()) {
            m.put("broadcastStart", s.broadcastStart().name().toLowerCase());
            m.put("clientTtlSeconds", s.clientTtlSeconds());
            m.put("maxClientIds", s.maxClientIds());
        }
        if (g.push() != null) {
            m.put("push", g.push()); // its secret is never serialized
        }
        m.put("filter", g.filter());
        m.put("registeredBy", g.runtime() ? "runtime" : "config");
        return m;
    }

    // ---- parameters

    static GroupChange groupChange(RequestParams p) {
        String start = p.optional("broadcastStart");
        ProxyConfig.StartPosition position = null;
        if (start != null) {
            try {
                position = ProxyConfig.StartPosition.valueOf(start.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw Errors.badParam("broadcastStart", "must be earliest or latest, got '" + start + "'");
            }
        }
        return GroupChange.NOTHING
            .and(p.integer("maxPullSize", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxPullSize)
            .and(p.integer("consumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::consumeTimeoutSeconds)
            .and(p.integer("minConsumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::minConsumeTimeoutSeconds)
            .and(p.integer("maxConsumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::maxConsumeTimeoutSeconds)
            .and(p.integer("pullTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::pullTimeoutSeconds)
            .and(p.integer("maxRetries", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxRetries)
            .and(position, GroupChange::broadcastStart)
            .and(p.integer("clientTtlSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::clientTtlSeconds)
            .and(p.integer("maxClientIds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxClientIds)
            .and(p.bool("paused"), GroupChange::pause)
            .and(p.integer("rateLimit", 0, GroupRules.MAX_RATE_LIMIT), GroupChange::rateLimit)
            .and(FilterParam.change(p));
    }

    private static ProxyConfig.ConsumeMode mode(RequestParams p) {
        String mode = p.optional("mode");
        if (mode == null) {
            return null;
        }
        try {
            return ProxyConfig.ConsumeMode.valueOf(mode.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw Errors.badParam("mode", "must be clustering or broadcast, got '" + mode + "'");
        }
    }
}
