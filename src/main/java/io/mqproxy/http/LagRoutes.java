package io.mqproxy.http;

import io.mqproxy.control.AlertCommands;
import io.mqproxy.control.GroupCommands;
import io.mqproxy.monitor.ClientLag;
import io.mqproxy.monitor.GroupLag;
import io.mqproxy.monitor.LagHistory;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.monitor.QueueLag;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lag as the collecting instance last read it, and its last hour per group (issue 13, for the operators'
 * console), behind the operator's door like every route under {@code /admin/}. Only the instance that
 * collects for the fleet has these; the others say so ({@code collecting: false}) rather than show zeros.
 */
final class LagRoutes {
    private final AlertCommands control;
    private final GroupCommands groups;
    private final AdminCalls calls;

    LagRoutes(AlertCommands control, GroupCommands groups, AdminCalls calls) {
        this.control = control;
        this.groups = groups;
        this.calls = calls;
    }

    void mount(Router router) {
        router.get(AdminCalls.PREFIX + "/lag").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of());
            Map<String, Object> out = collector(control.monitoring());
            Map<String, Object> groups = new TreeMap<>();
            control.monitoring().history().latest().forEach((name, lag) -> groups.put(name, totals(lag)));
            out.put("groups", groups);
            return CompletableFuture.completedFuture(out);
        }));
        router.get(AdminCalls.PREFIX + "/groups/:group/lag").handler(ctx -> calls.call(ctx, p -> {
            AdminCalls.known(p, Set.of("minutes"));
            String group = ctx.pathParam("group");
            groups.group(group); // 404 for an unknown group
            Integer minutes = p.integer("minutes", 1, 60);
            LagHistory history = control.monitoring().history();
            long since = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(minutes == null ? 60 : minutes);
            Map<String, Object> out = collector(control.monitoring());
            out.put("source", "proxy");
            out.put("spacingSeconds", history.spacingMillis() / 1000);
            out.put("latest", history.latest(group).map(LagRoutes::detail).orElse(null));
            out.put("samples", history.samples(group, since).stream().map(LagRoutes::sample).toList());
            return CompletableFuture.completedFuture(out);
        }));
    }

    private static Map<String, Object> collector(Monitoring m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", m.config().enabled());
        out.put("collecting", m.acting());
        out.put("instance", m.instance());
        out.put("intervalSeconds", m.config().intervalSeconds());
        long at = m.history().latestAt();
        out.put("at", at > 0 ? at : null);
        out.put("inflightKnown", m.lastCollection().inflightKnown());
        return out;
    }

    private static Map<String, Object> totals(GroupLag lag) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", lag.topic());
        m.put("backlog", lag.backlog());
        m.put("backlogEstimated", lag.estimated());
        m.put("inflight", known(lag.inflight()));
        m.put("retryBacklog", lag.retryBacklog());
        m.put("deadLetters", lag.deadLetters());
        m.put("oldestAgeSeconds", lag.oldestAgeSeconds());
        if (lag.broadcast()) {
            m.put("clientIds", lag.clients().size());
        }
        return m;
    }

    private static Map<String, Object> detail(GroupLag lag) {
        Map<String, Object> m = totals(lag);
        List<Map<String, Object>> queues = lag.queues().stream().map(LagRoutes::queue).toList();
        m.put("queues", queues);
        if (lag.broadcast()) {
            m.put("clients", lag.clients().stream().map(LagRoutes::client).toList());
        }
        return m;
    }

    private static Map<String, Object> queue(QueueLag q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", q.broker());
        m.put("queueId", q.queueId());
        m.put("backlog", q.backlog());
        m.put("backlogEstimated", q.estimated());
        m.put("inflight", known(q.inflight()));
        m.put("oldestAgeSeconds", q.oldestAgeSeconds());
        return m;
    }

    private static Map<String, Object> client(ClientLag c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientId", c.clientId());
        m.put("backlog", c.backlog());
        m.put("backlogEstimated", c.estimated());
        m.put("inflight", known(c.inflight()));
        m.put("retryBacklog", c.retryBacklog());
        m.put("deadLetters", c.deadLetters());
        m.put("oldestAgeSeconds", c.oldestAgeSeconds());
        return m;
    }

    private static Map<String, Object> sample(LagHistory.Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", s.at());
        m.put("backlog", s.backlog());
        m.put("inflight", known(s.inflight()));
        m.put("retryBacklog", s.retryBacklog());
        m.put("deadLetters", s.deadLetters());
        m.put("oldestAgeSeconds", s.oldestAgeSeconds());
        m.put("consumeRate", s.consumeRate());
        return m;
    }

    /** -1 is "unknown" inside; outside it is null, which no one can mistake for a count. */
    private static Long known(long n) {
        return n < 0 ? null : n;
    }
}
