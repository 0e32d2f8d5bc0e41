package io.mqproxy.http;

import io.mqproxy.control.AlertCommands;
import io.mqproxy.control.GroupCommands;
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
 * Alert rules, alerts and the lag collector, on the admin port behind the operator's token
 * ({@link AlertCommands}): rules for every group and per group, changed at run time like the other
 * control settings (kept broker-side, audited); the alerts with their state and last notification
 * results; who collects for the fleet.
 */
final class AlertRoutes {
    private static final Set<String> FIELDS = Set.copyOf(AlertOverrides.FIELDS);
    private static final long MAX = Long.MAX_VALUE;

    private final AlertCommands control;
    private final GroupCommands groups;
    private final AdminCalls calls;

    AlertRoutes(AlertCommands control, GroupCommands groups, AdminCalls calls) {
        this.control = control;
        this.groups = groups;
        this.calls = calls;
    }

    void mount(Router router) {
        String alerts = AdminCalls.PREFIX + "/alerts";
        router.get(alerts).handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of("group", "status"));
            String status = p.optional("status");
            if (status != null && !status.equals(AlertState.FIRING) && !status.equals(AlertState.RESOLVED)) {
                throw Errors.badParam("status", "must be firing or resolved, got '" + status + "'");
            }
            return control.alerts(p.optional("group")).thenApply(list -> list.stream()
                .filter(a -> status == null || status.equals(a.status())).toList());
        }));
        router.get(alerts + "/rules").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("defaults", control.alertDefaults());
            Map<String, AlertRuleBook.View> groups = new LinkedHashMap<>();
            for (ConsumerGroup g : this.groups.groups()) {
                groups.put(g.name(), control.alertRules(g.name()));
            }
            out.put("groups", groups);
            return CompletableFuture.completedFuture(out);
        }));
        router.get(alerts + "/defaults").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            return CompletableFuture.completedFuture(control.alertDefaults());
        }));
        router.put(alerts + "/defaults").handler(ctx -> calls.call(ctx, p -> control.setAlertRules(
            AdminCalls.actor(ctx), null, rules(p))));
        router.delete(alerts + "/defaults").handler(ctx -> calls.call(ctx, p -> control.removeAlertRules(
            AdminCalls.actor(ctx), null)));
        router.get(alerts + "/groups/:group").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            return CompletableFuture.completedFuture(control.alertRules(ctx.pathParam("group")));
        }));
        router.put(alerts + "/groups/:group").handler(ctx -> calls.call(ctx, p -> control.setAlertRules(
            AdminCalls.actor(ctx), ctx.pathParam("group"), rules(p))));
        router.delete(alerts + "/groups/:group").handler(ctx -> calls.call(ctx, p -> control.removeAlertRules(
            AdminCalls.actor(ctx), ctx.pathParam("group"))));
        router.get(AdminCalls.PREFIX + "/monitor").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            return CompletableFuture.completedFuture(monitor(control.monitoring()));
        }));
    }

    /** A PUT's body: the thresholds this layer sets (0 turns a rule off); those left out are inherited. */
    private static AlertOverrides rules(RequestParams p) {
        AdminCalls.known(p, FIELDS);
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
