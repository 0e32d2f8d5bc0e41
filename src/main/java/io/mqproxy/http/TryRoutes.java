package io.mqproxy.http;

import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.control.ControlService;
import io.mqproxy.produce.ProduceRequest;
import io.mqproxy.produce.ProduceService;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Debug tools for operators (issue 13's "Try it"), behind the operator's door: send a test message
 * through a registered producer (audited: its consumers get it), and look at a group's next messages
 * without reserving them. On the admin port so that the console, which talks only to its own origin,
 * can use them, and so that they go through the control plane's door and audit.
 */
final class TryRoutes {
    private static final int PREVIEW_CHARS = 512;

    private final ControlService control;
    private final ProduceService produce;
    private final AdminRoutes admin;

    TryRoutes(ControlService control, ProduceService produce, AdminRoutes admin) {
        this.control = control;
        this.produce = produce;
        this.admin = admin;
    }

    void mount(Router router) {
        router.post(AdminRoutes.PREFIX + "/producers/:producer/test-message").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of("message", "keys", "tags", PropertiesParam.NAME));
            String producer = ctx.pathParam("producer");
            ProduceRequest request = new ProduceRequest(producer, p.required("message"), p.optional("keys"),
                p.optional("tags"), null, null, null, false, ctx.request().remoteAddress().hostAddress(),
                PropertiesParam.single(p));
            return control.sendTestMessage(AdminRoutes.actor(ctx), producer, () -> produce.produce(request));
        }));
        router.get(AdminRoutes.PREFIX + "/groups/:group/peek").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of("clientId", "limit"));
            Integer limit = p.integer("limit", 1, 32);
            return control.peek(ctx.pathParam("group"), p.optional("clientId"), limit == null ? 10 : limit)
                .thenApply(list -> list.stream().map(TryRoutes::peeked).toList());
        }));
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
