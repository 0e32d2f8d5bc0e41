package io.mqproxy.http;

import io.mqproxy.control.PushCommands;
import io.mqproxy.registry.PushChange;
import io.vertx.ext.web.Router;
import java.util.Set;

/**
 * A group's webhook at run time (issue 12): {@code PUT /admin/groups/{g}/push} sets or replaces it,
 * {@code DELETE} removes it; both audited, both behind the operator's token like every control route.
 * The answer is the group's summary, whose push endpoint shows everything but the secret.
 */
final class PushRoutes {
    private static final Set<String> FIELDS = Set.of("url", "secret", "clientId", "maxInFlight", "ratePerSecond",
        "batchSize", "minBackoffMillis", "maxBackoffMillis", "timeoutMillis");

    private final PushCommands control;
    private final AdminCalls calls;

    PushRoutes(PushCommands control, AdminCalls calls) {
        this.control = control;
        this.calls = calls;
    }

    void mount(Router router) {
        router.put(AdminCalls.PREFIX + "/groups/:group/push").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, FIELDS);
            PushChange given = new PushChange(p.required("url"), p.required("secret"), p.optional("clientId"),
                p.integer("maxInFlight", Integer.MIN_VALUE, Integer.MAX_VALUE),
                p.integer("ratePerSecond", Integer.MIN_VALUE, Integer.MAX_VALUE),
                p.integer("batchSize", Integer.MIN_VALUE, Integer.MAX_VALUE),
                p.longValue("minBackoffMillis", Long.MIN_VALUE, Long.MAX_VALUE, "milliseconds"),
                p.longValue("maxBackoffMillis", Long.MIN_VALUE, Long.MAX_VALUE, "milliseconds"),
                p.longValue("timeoutMillis", Long.MIN_VALUE, Long.MAX_VALUE, "milliseconds"), false);
            return control.setPush(AdminCalls.actor(ctx), ctx.pathParam("group"), given).thenApply(GroupRoutes::summary);
        }));
        router.delete(AdminCalls.PREFIX + "/groups/:group/push").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            return control.removePush(AdminCalls.actor(ctx), ctx.pathParam("group")).thenApply(GroupRoutes::summary);
        }));
    }
}
