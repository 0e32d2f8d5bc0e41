package io.mqproxy.http;

import static io.mqproxy.http.AdminCalls.MAX_EPOCH_MILLIS;
import static io.mqproxy.http.AdminCalls.PREFIX;
import static io.mqproxy.http.AdminCalls.actor;
import static io.mqproxy.http.AdminCalls.known;

import io.mqproxy.control.CredentialCommands;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Data clients' credentials on the admin port ({@link CredentialCommands}): listed, issued, revoked. */
final class CredentialRoutes {
    private final CredentialCommands control;
    private final AdminCalls calls;

    CredentialRoutes(CredentialCommands control, AdminCalls calls) {
        this.control = control;
        this.calls = calls;
    }

    void mount(Router router) {
        router.get(PREFIX + "/credentials").handler(ctx -> calls.ok(ctx, control.credentials()));
        router.post(PREFIX + "/credentials").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of("id", "producers", "consumers", "expiresAt"));
            Long expiresAt = p.longValue("expiresAt", 0, MAX_EPOCH_MILLIS, "epoch milliseconds (0: never)");
            return control.issueCredential(actor(ctx), p.required("id"), names(p, "producers"), names(p, "consumers"),
                expiresAt == null ? 0 : expiresAt);
        }));
        router.delete(PREFIX + "/credentials/:id").handler(ctx -> calls.call(ctx, p -> control.revokeCredential(actor(ctx),
            ctx.pathParam("id")).thenApply(v -> Map.of("revoked", ctx.pathParam("id")))));
    }


    /** A list of names: a JSON array of strings, or (form, query) names separated by commas. */
    private static List<String> names(RequestParams p, String param) {
        List<String> names = p.list(param);
        return names == null ? List.of() : names;
    }
}
