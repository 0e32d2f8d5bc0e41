package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The answers that read better in their own shape than as a generic table: lag, alerts, the audit log. */
final class Views {
    private static final String[] RULES = {"backlog", "oldestAgeSeconds", "stuckSeconds", "deadLetters",
        "deadLettersWindowSeconds"};

    private Views() {
    }

    /** How a command prints its result for people ({@code --json} prints it as answered). */
    @FunctionalInterface
    interface View {
        void print(JsonNode result, PrintWriter out, ZoneId zone);
    }

    // ---- lag (GET /admin/lag, GET /admin/groups/{g}/lag)

    static void lagAll(JsonNode r, PrintWriter out, ZoneId zone) {
        if (!collector(r, out, zone)) {
            return;
        }
        Table t = new Table("group", "topic", "backlog", "in flight", "retry", "dead letters", "oldest age");
        r.path("groups").fields().forEachRemaining(g -> t.row(g.getKey(), g.getValue().path("topic").asText(""),
            count(g.getValue().get("backlog")), count(g.getValue().get("inflight")),
            count(g.getValue().get("retryBacklog")), count(g.getValue().get("deadLetters")),
            age(g.getValue().get("oldestAgeSeconds"))));
        t.print(out);
    }

    static void lagGroup(JsonNode r, PrintWriter out, ZoneId zone) {
        if (!collector(r, out, zone)) {
            return;
        }
        JsonNode l = r.path("latest");
        if (l.isMissingNode() || l.isNull()) {
            out.println("not read yet: lag is read every " + r.path("intervalSeconds").asText() + " s");
            return;
        }
        new Table("topic", "backlog", "in flight", "retry", "dead letters", "oldest age")
            .row(l.path("topic").asText(""), count(l.get("backlog")), count(l.get("inflight")),
                count(l.get("retryBacklog")), count(l.get("deadLetters")), age(l.get("oldestAgeSeconds")))
            .print(out);
        out.println();
        Table queues = new Table("broker", "queue", "backlog", "in flight", "oldest age");
        l.path("queues").forEach(q -> queues.row(q.path("broker").asText(""), q.path("queueId").asText(""),
            count(q.get("backlog")), count(q.get("inflight")), age(q.get("oldestAgeSeconds"))));
        queues.print(out);
        if (l.path("clients").size() > 0) {
            out.println();
            Table clients = new Table("clientId", "backlog", "in flight", "retry", "dead letters", "oldest age");
            l.path("clients").forEach(c -> clients.row(c.path("clientId").asText(""), count(c.get("backlog")),
                count(c.get("inflight")), count(c.get("retryBacklog")), count(c.get("deadLetters")),
                age(c.get("oldestAgeSeconds"))));
            clients.print(out);
        }
    }

    /** The line saying when lag was read and by whom; false (and why) when this instance has none. */
    private static boolean collector(JsonNode r, PrintWriter out, ZoneId zone) {
        if (!r.path("enabled").asBoolean(true)) {
            out.println("lag is not collected: monitor.enabled is false in the proxy's configuration");
            return false;
        }
        if (!r.path("collecting").asBoolean(true)) {
            out.println("instance " + r.path("instance").asText() + " does not collect lag: another instance of "
                + "the fleet does (admin alerts monitor shows which); point --url at its admin port");
            return false;
        }
        out.println(r.path("at").isNumber()
            ? "read at " + Table.time(r.path("at").asLong(), zone) + " by " + r.path("instance").asText()
                + " (every " + r.path("intervalSeconds").asText() + " s)"
                + (r.path("inflightKnown").asBoolean(true) ? "" : "; in flight unknown (the broker does not say)")
            : "not read yet: lag is read every " + r.path("intervalSeconds").asText() + " s");
        return true;
    }

    /** A count; null (the broker cannot tell) as "?". */
    static String count(JsonNode n) {
        return n == null || n.isNull() ? "?" : n.asText();
    }

    /** Seconds as 42s, 5m03s, 2h07m, 3d04h; 0 (nothing waiting) as "-". */
    static String age(JsonNode n) {
        if (n == null || n.isNull()) {
            return "?";
        }
        long s = n.asLong();
        if (s <= 0) {
            return "-";
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
    }

    // ---- alerts

    static void alerts(JsonNode r, PrintWriter out, ZoneId zone) {
        Table t = new Table("group", "rule", "status", "since", "resolved", "value", "threshold", "clientId",
            "notified");
        r.forEach(a -> {
            List<String> notified = new ArrayList<>();
            a.path("notifications").forEach(n -> notified.add(n.path("outcome").asText()
                + (n.hasNonNull("error") ? " (" + n.path("error").asText() + ")" : "")));
            t.row(a.path("group").asText(), a.path("rule").asText(), a.path("status").asText(),
                Table.cell("since", a.get("since"), zone), Table.cell("resolvedAt", a.get("resolvedAt"), zone),
                number(a.get("value")) + (a.hasNonNull("unit") ? " " + a.path("unit").asText() : ""),
                a.path("threshold").asText(), a.path("clientId").asText(""), String.join(", ", notified));
        });
        t.print(out);
    }

    /** One layer's thresholds (a group's, or the defaults): each rule, its value and where it comes from. */
    static void rules(JsonNode r, PrintWriter out, ZoneId zone) {
        if (r.has("defaults") && r.has("groups")) {
            Table t = new Table("group", "backlog", "oldest age (s)", "stuck (s)", "dead letters", "window (s)");
            t.row(row("(defaults)", r.path("defaults")));
            r.path("groups").fields().forEachRemaining(g -> t.row(row(g.getKey(), g.getValue())));
            t.print(out);
            out.println("0: off; admin alerts show -g GROUP says where each threshold comes from");
            return;
        }
        Table t = new Table("rule", "threshold", "from");
        for (String rule : RULES) {
            long v = r.path("rules").path(rule).asLong();
            t.row(rule, v == 0 && !rule.equals("deadLettersWindowSeconds") ? "0 (off)" : String.valueOf(v),
                r.path("sources").path(rule).asText(""));
        }
        t.print(out);
    }

    private static String[] row(String name, JsonNode view) {
        String[] cells = new String[RULES.length + 1];
        cells[0] = name;
        for (int i = 0; i < RULES.length; i++) {
            cells[i + 1] = view.path("rules").path(RULES[i]).asText();
        }
        return cells;
    }

    private static String number(JsonNode n) {
        if (n == null || n.isNull()) {
            return "";
        }
        double d = n.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    // ---- the audit log

    static void audit(JsonNode r, PrintWriter out, ZoneId zone) {
        Table t = new Table("time", "operator", "action", "target", "change", "result");
        r.forEach(a -> t.row(Table.cell("time", a.get("time"), zone), a.path("operator").asText(""),
            a.path("action").asText(), a.path("target").asText("")
                + (a.hasNonNull("clientId") ? " (clientId " + a.path("clientId").asText() + ")" : ""),
            String.join("\n", changes(a)),
            a.path("result").asText("") + (a.path("genuine").asBoolean(true) ? "" : " [NO VALID MAC]")));
        t.print(out);
    }

    /** What a record changed, as the console says it: one {@code key: old → new} per field that differs. */
    static List<String> changes(JsonNode record) {
        JsonNode before = record.get("before");
        JsonNode after = record.get("after");
        String action = record.path("action").asText();
        if (after != null && after.isArray() && after.size() > 0 && allOffsets(after)) {
            List<String> offsets = new ArrayList<>();
            after.forEach(q -> offsets.add(q.path("brokerName").asText() + "/" + q.path("queueId").asText() + " @ "
                + q.path("consumedOffset").asText()));
            return List.of("offsets now: " + String.join(", ", offsets));
        }
        if (after != null && after.isNumber() && (action.equals("redeliver") || action.equals("redrive"))) {
            return List.of(action.equals("redeliver") ? "delivered to " + after.asText() + " consumer(s)"
                : after.asText() + " message(s) redriven");
        }
        if (after == null || after.isNull() || !after.isObject()) {
            return after == null || after.isNull() ? List.of() : List.of(Table.text(after));
        }
        if (before == null || !before.isObject()) {
            List<String> set = new ArrayList<>();
            after.fields().forEachRemaining(f -> set.add(f.getKey() + ": " + f.getValue()));
            return set;
        }
        List<String> diff = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = before.get(f.getKey());
            if (!Objects.equals(old, f.getValue())) {
                diff.add(f.getKey() + ": " + (old == null ? "null" : value(old)) + " → " + value(f.getValue()));
            }
        }
        before.fieldNames().forEachRemaining(k -> {
            if (!after.has(k)) {
                diff.add(k + ": " + value(before.get(k)) + " → (removed)");
            }
        });
        return diff.isEmpty() ? List.of("no field changed") : diff;
    }

    /** A value as a person reads it: a subscription filter as {@code TAG paid || refunded}, others as JSON. */
    private static String value(JsonNode v) {
        if (v.isObject() && v.size() == 2 && v.path("type").isTextual() && v.path("expression").isTextual()) {
            return v.path("type").asText() + " " + v.path("expression").asText();
        }
        return v.toString();
    }

    private static boolean allOffsets(JsonNode array) {
        for (JsonNode q : array) {
            if (!q.has("queueId") || !q.has("consumedOffset")) {
                return false;
            }
        }
        return true;
    }
}
