package io.mqproxy.http;

import io.mqproxy.control.ControlService;
import io.mqproxy.error.Errors;
import io.mqproxy.monitor.AlertOverrides;
import io.mqproxy.monitor.AlertRuleBook;
import io.mqproxy.monitor.AlertState;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.registry.ConsumerGroup;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Alert rules, alerts and the lag collector, on the admin port behind the operator's token (mounted
 * by {@link AdminRoutes}): rules for every group and per group, changed at run time like the other
 * control settings (kept broker-side, audited); the alerts with their state and last notification
 * results; who collects for the fleet.
 */
final class AlertRoutes {
    private static final Set<String> FIELDS = Set.copyOf(AlertOverrides.FIELDS);
    private static final long MAX = Long.MAX_VALUE;

    private final ControlService control;
    private final AdminRoutes admin;

    AlertRoutes(ControlService control, AdminRoutes admin) {
        this.control = control;
        this.admin = admin;
    }

    void mount(Router router) {
        String alerts = AdminRoutes.PREFIX + "/alerts";
        router.get(alerts).handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of("group", "status"));
            String status = p.optional("status");
            if (status != null && !status.equals(AlertState.FIRING) && !status.equals(AlertState.RESOLVED)) {
                throw Errors.badParam("status", "must be firing or resolved, got '" + status + "'");
            }
            return control.alerts(p.optional("group")).thenApply(list -> list.stream()
                .filter(a -> status == null || status.equals(a.status())).toList());
        }));
        router.get(alerts + "/rules").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("defaults", control.alertDefaults());
            Map<String, AlertRuleBook.View> groups = new LinkedHashMap<>();
            for (ConsumerGroup g : control.groups()) {
                groups.put(g.name(), control.alertRules(g.name()));
            }
            out.put("groups", groups);
            return CompletableFuture.completedFuture(out);
        }));
        router.get(alerts + "/defaults").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of());
            return CompletableFuture.completedFuture(control.alertDefaults());
        }));
        router.put(alerts + "/defaults").handler(ctx -> admin.call(ctx, p -> control.setAlertRules(
            AdminRoutes.actor(ctx), null, rules(p))));
        router.delete(alerts + "/defaults").handler(ctx -> admin.call(ctx, p -> control.removeAlertRules(
            AdminRoutes.actor(ctx), null)));
        router.get(alerts + "/groups/:group").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of());
            return CompletableFuture.completedFuture(control.alertRules(ctx.pathParam("group")));
        }));
        router.put(alerts + "/groups/:group").handler(ctx -> admin.call(ctx, p -> control.setAlertRules(
            AdminRoutes.actor(ctx), ctx.pathParam("group"), rules(p))));
        router.delete(alerts + "/groups/:group").handler(ctx -> admin.call(ctx, p -> control.removeAlertRules(
            AdminRoutes.actor(ctx), ctx.pathParam("group"))));
        router.get(AdminRoutes.PREFIX + "/monitor").handler(ctx -> admin.call(ctx, p -> {
            AdminRoutes.known(p, Set.of());
            return CompletableFuture.completedFuture(monitor(control.monitoring()));
        }));
    }

    /** A PUT's body: the thresholds this layer sets (0 turns a rule off); those left out are inherited. */
    private static AlertOverrides rules(RequestParams p) {
        AdminRoutes.known(p, FIELDS);
        return new AlertOverrides(p.longValue("backlog", 0, MAX, "a number of messages (0: off)"),
            p.longValue("oldestAgeSeconds", 0, MAX, "seconds (0: off)"),
            p.longValue("stuckSeconds", 0, MAX, "seconds (0: off)"),
            p.longValue("deadLetters", 0, MAX, "a number of messages (0: off)"),
            p.longValue("deadLettersWindowSeconds", 1, MAX, "seconds"));
    }

    private static Map<String, Object> monitor(Monitoring m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", m.config().enabled());
        out.put("collecting", m.acting());
        out.put("instance", m.instance());
        out.put("fleet", List.copyOf(new java.util.TreeSet<>(m.fleet())));
        out.put("intervalSeconds", m.config().intervalSeconds());
        out.put("webhooks", m.config().webhooks().size());
        Monitoring.Status s = m.lastCollection();
        if (s.at() > 0) {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("at", java.time.Instant.ofEpochMilli(s.at()).toString());
            last.put("millis", s.millis());
            last.put("groups", s.groups());
            last.put("reads", s.reads());
            last.put("brokerCalls", s.brokerCalls());
            last.put("failedGroups", s.failedGroups());
            last.put("inflightKnown", s.inflightKnown());
            out.put("lastCollection", last);
        }
        return out;
    }
}
