package io.mqproxy.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admin alerts ...}: alerts firing and resolved, their rules (a group's or the defaults), the monitor. */
@Command(name = "alerts", description = "Alerts, their rules and the lag monitor: list, show, set, clear, monitor.",
    subcommands = {Alerts.ListAlerts.class, Alerts.Show.class, Alerts.Set.class, Alerts.Clear.class,
        Alerts.Monitor.class})
final class Alerts {
    private static final String PREFIX = "/admin/alerts";

    /** Whose rules: one group's, or the run-time defaults every group inherits. */
    static final class Layer {
        @Option(names = {"-g", "--group"}, required = true, description = "one consumer group's rules")
        String group;
        @Option(names = "--defaults", required = true, description = "the defaults every group inherits")
        boolean defaults;

        String path() {
            return group != null ? PREFIX + "/groups/" + group : PREFIX + "/defaults";
        }
    }

    @Command(name = "list", description = "Alerts firing now; --resolved also those that stopped.")
    static final class ListAlerts implements Callable<Integer> {
        @Mixin
        AdminCli.Target target;
        @Option(names = {"-g", "--group"}, description = "one consumer group's alerts")
        String group;
        @Option(names = "--resolved", description = "also the alerts that fired and were resolved")
        boolean resolved;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder(resolved ? "" : "status=firing");
            if (group != null) {
                q.append(q.length() == 0 ? "" : "&").append("group=")
                    .append(java.net.URLEncoder.encode(group, java.nio.charset.StandardCharsets.UTF_8));
            }
            return target.call("GET", PREFIX + (q.length() == 0 ? "" : "?" + q), null, Views::alerts);
        }
    }

    @Command(name = "show", description = "Alert thresholds: every group's (default), one group's (-g) or the "
        + "defaults (--defaults), with where each comes from.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminCli.Target target;
        @ArgGroup(exclusive = true)
        Layer layer;

        @Override
        public Integer call() throws Exception {
            return target.call("GET", layer == null ? PREFIX + "/rules" : layer.path(), null, Views::rules);
        }
    }

    @Command(name = "set", description = {"Set alert thresholds at run time (0 turns a rule off; rules left out are "
        + "inherited), e.g. alerts set -g G backlog=1000 oldestAgeSeconds=600",
        "Rules: backlog, oldestAgeSeconds, stuckSeconds, deadLetters, deadLettersWindowSeconds."})
    static final class Set implements Callable<Integer> {
        @Mixin
        AdminCli.Target target;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Layer layer;
        @Parameters(arity = "1..*", paramLabel = "RULE=VALUE")
        Map<String, String> rules = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            rules.forEach((k, v) -> body.put(k, v.matches("-?\\d+") ? (Object) Long.parseLong(v) : v));
            return target.call("PUT", layer.path(), body, Views::rules);
        }
    }

    @Command(name = "clear", description = "Remove the run-time thresholds of a group (-g) or the defaults "
        + "(--defaults): the configuration's apply again.")
    static final class Clear implements Callable<Integer> {
        @Mixin
        AdminCli.Target target;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Layer layer;

        @Override
        public Integer call() throws Exception {
            return target.call("DELETE", layer.path(), null, Views::rules);
        }
    }

    @Command(name = "monitor", description = "Who collects lag for the fleet, and how its last collection went.")
    static final class Monitor implements Callable<Integer> {
        @Mixin
        AdminCli.Target target;

        @Override
        public Integer call() throws Exception {
            return target.call("GET", "/admin/monitor", null, Table::printResult);
        }
    }
}
