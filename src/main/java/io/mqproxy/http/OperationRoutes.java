package io.mqproxy.http;

import static io.mqproxy.http.AdminCalls.PREFIX;
import static io.mqproxy.http.AdminCalls.actor;
import static io.mqproxy.http.AdminCalls.group;
import static io.mqproxy.http.AdminCalls.known;
import static io.mqproxy.http.AdminCalls.orDefault;
import static io.mqproxy.http.AdminCalls.range;
import static io.mqproxy.http.AdminCalls.timestamp;

import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.control.OperationCommands;
import io.mqproxy.error.Errors;
import io.mqproxy.produce.ProduceRequest;
import io.mqproxy.produce.ProduceService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Broker operations on the admin port ({@link OperationCommands}): reset a group's offset, deliver one
 * message again, release held queues, find messages; and the operators' debug tools (issue 13's "Try
 * it"): send a test message through a registered producer (audited: its consumers get it), and look at
 * a group's next messages without reserving them.
 */
final class OperationRoutes {
    private static final int PREVIEW_CHARS = 512;

    private final OperationCommands control;
    private final ProduceService produce;
    private final AdminCalls calls;

    OperationRoutes(OperationCommands control, ProduceService produce, AdminCalls calls) {
        this.control = control;
        this.produce = produce;
        this.calls = calls;
    }

    void mount(Router router) {
        router.post(PREFIX + "/groups/:group/reset").handler(this::reset);
        router.post(PREFIX + "/groups/:group/redeliver").handler(this::redeliver);
        router.post(PREFIX + "/groups/:group/release-held-queues").handler(this::releaseHeldQueues);
        router.get(PREFIX + "/messages").handler(this::messages);
        router.post(PREFIX + "/producers/:producer/test-message").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("message", "keys", "tags", PropertiesParam.NAME));
            String producer = ctx.pathParam("producer");
            ProduceRequest request = new ProduceRequest(producer, p.required("message"), p.optional("keys"),
                p.optional("tags"), null, null, null, false, ctx.request().remoteAddress().hostAddress(),
                PropertiesParam.single(p));
            return control.sendTestMessage(actor(ctx), producer, () -> produce.produce(request));
        }));
        router.get(PREFIX + "/groups/:group/peek").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("clientId", "limit"));
            Integer limit = p.integer("limit", 1, 32);
            return control.peek(ctx.pathParam("group"), p.optional("clientId"), limit == null ? 10 : limit)
                .thenApply(list -> list.stream().map(OperationRoutes::peeked).toList());
        }));
    }

    private void reset(RoutingContext ctx) {
        calls.call(ctx, p -> {
            known(p, Set.of("to", "clientId"));
            return control.reset(actor(ctx), group(ctx), p.optional("clientId"), timestamp("to", p.required("to")));
        });
    }

    private void redeliver(RoutingContext ctx) {
        calls.call(ctx, p -> {
            known(p, Set.of("messageId", "clientId"));
            return control.redeliver(actor(ctx), group(ctx), p.optional("clientId"), p.required("messageId"))
                .thenApply(n -> Map.of("deliveredTo", n));
        });
    }

    private void releaseHeldQueues(RoutingContext ctx) {
        calls.call(ctx, p -> {
            known(p, Set.of("clientId", "broker", "queueId"));
            return control.releaseHeldQueues(actor(ctx), group(ctx), p.optional("clientId"), p.optional("broker"),
                p.integer("queueId", 0, 65_535)).thenApply(released -> Map.of("released", released));
        });
    }

    /** By {@code id}, by {@code key}, or by time ({@code since}, {@code until}, {@code tag}), in one route. */
    private void messages(RoutingContext ctx) {
        calls.call(ctx, p -> {
            known(p, Set.of("topic", "id", "key", "since", "until", "tag", "pageSize", "cursor", "limit", "states",
                "clientId", "full"));
            boolean full = p.bool("full", false);
            String topic = p.optional("topic");
            String id = p.optional("id");
            if (id != null) {
                return control.message(topic, id, p.bool("states", false), p.optional("clientId"), full);
            }
            if (topic == null) {
                throw Errors.missing("topic");
            }
            long until = p.optional("until") == null ? System.currentTimeMillis() + 1_000
                : range("until", p.optional("until"));
            String key = p.optional("key");
            if (key != null) {
                long since = p.optional("since") == null ? 0 : range("since", p.optional("since"));
                return control.messagesByKey(topic, key, since, until, orDefault(p.integer("limit", 1, 1_000), 32),
                    full);
            }
            if (p.optional("since") == null) {
                throw Errors.badParam("since", "is required without id or key: messages stored since when "
                    + "(epoch ms or ISO-8601)");
            }
            return control.messagesByTime(topic, range("since", p.optional("since")), until, p.optional("tag"),
                orDefault(p.integer("pageSize", 1, 1_000), 20), p.optional("cursor"), full);
        });
    }

    private static Map<String, Object> peeked(GroupAdmin.Peeked p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messageId", p.message().messageId());
        m.put("brokerName", p.brokerName());
        m.put("queueId", p.queueId());
        m.put("queueOffset", p.queueOffset());
        m.put("storeTimestamp", p.message().storeTimestamp());
        m.put("keys", p.message().keys());
        m.put("tags", p.message().tags());
        m.put("bodyBytes", p.message().body().length);
        m.put("preview", p.message().preview(PREVIEW_CHARS));
        return m;
    }
}
