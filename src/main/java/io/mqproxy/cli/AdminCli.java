package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar mq-proxy.jar admin ...}: the control plane from a terminal or a script. Tables for
 * people (times as local dates), {@code --json} for scripts (times in epoch milliseconds). Exit codes:
 * {@link #OK}, {@link #REFUSED}, {@link #USAGE}, {@link #UNREACHABLE}.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, sortOptions = false,
    versionProvider = AdminCli.Version.class,
    description = "Operate an MQ-Proxy through its control plane (the admin port).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the proxy refused or failed (its message is printed)",
        "2:usage error (a wrong command or option)", "3:the proxy could not be reached (no answer at --url)"},
    subcommands = {AdminCli.Groups.class, AdminCli.Group.class, AdminCli.Change.class, AdminCli.Pause.class,
        AdminCli.Resume.class, AdminCli.Rate.class, AdminCli.Filter.class, AdminCli.Lag.class, AdminCli.Clients.class, AdminCli.Reset.class,
        AdminCli.Resend.class, AdminCli.Dlq.class, AdminCli.Release.class, AdminCli.Register.class,
        AdminCli.Unregister.class, AdminCli.Producers.class, AdminCli.Topic.class, AdminCli.Instances.class,
        AdminCli.Audit.class, AdminCli.Msg.class, AdminCli.Credentials.class, Alerts.class,
        Completion.class})
public final class AdminCli {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The proxy answered with an error (a 4xx or 5xx): its message is printed. */
    public static final int REFUSED = 1;
    /** The command line itself was wrong: unknown command or option, a missing value. */
    public static final int USAGE = 2;
    /** Nothing answered at the URL (refused, timed out, TLS failed): the URL and what to check are printed. */
    public static final int UNREACHABLE = 3;

    /** Runs the command line; returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CommandLine.ParameterException usage) {
                return line.getParameterExceptionHandler().handleParseException(usage, args);
            }
            err.println("mq-proxy admin: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return e instanceof AdminApi.Unreachable ? UNREACHABLE : REFUSED;
        });
        return cli.execute(args);
    }

    /** The command line's model: what it runs, and what its completion scripts are generated from. */
    static CommandLine commandLine() {
        return new CommandLine(new AdminCli());
    }

    /** The version in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AdminCli.class.getPackage().getImplementationVersion();
            return new String[] {"mq-proxy admin " + (v == null ? "(development build)" : v)};
        }
    }

    /** Where the proxy is, who is calling, how to print. */
    static final class Target {
        @Option(names = "--url", description = "admin address (default: $MQPROXY_ADMIN_URL or http://127.0.0.1:8083)")
        String url;
        @Option(names = "--token", description = "operator token (default: $MQPROXY_ADMIN_TOKEN, else --token-file)")
        String token;
        @Option(names = "--token-file", description = "file holding the token, e.g. data/operator.token")
        Path tokenFile;
        @Option(names = "--json", description = "print the result as JSON, for scripts (times in epoch ms)")
        boolean json;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        int call(String method, String path, Object body) throws Exception {
            return call(method, path, body, Table::printResult, UnaryOperator.identity());
        }

        int call(String method, String path, Object body, Views.View view) throws Exception {
            return call(method, path, body, view, UnaryOperator.identity());
        }

        /** One call; {@code shape} turns the result into what both tables and --json print. */
        int call(String method, String path, Object body, Views.View view, UnaryOperator<JsonNode> shape)
            throws Exception {
            String base = url != null ? url : env("MQPROXY_ADMIN_URL", "http://127.0.0.1:8083");
            if (!base.matches("(?i)https?://[^/\\s]+.*")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--url '" + base + "' is not an "
                    + "address like http://127.0.0.1:8083" + (url == null ? " (it came from MQPROXY_ADMIN_URL)" : ""));
            }
            String t = token != null ? token : tokenFile != null ? readToken() : env("MQPROXY_ADMIN_TOKEN", null);
            AdminApi api = new AdminApi(base, t);
            AdminApi.Answer answer = api.call(method, path, body);
            PrintWriter out = spec.commandLine().getOut();
            if (!answer.ok()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("mq-proxy admin: " + answer.status() + " " + answer.message() + (answer.status() == 401
                    ? " (" + api.url() + "): check the token: --token, --token-file (embedded mode writes it to "
                        + "<embedded.dataDir>/operator.token) or MQPROXY_ADMIN_TOKEN"
                    : answer.status() == 403 ? ": this operator may not do this" : ""));
                err.flush();
                return REFUSED;
            }
            if (answer.page() != null) {
                // Beside the output, which keeps its shape: where the next page starts, and what was left out.
                PrintWriter err = spec.commandLine().getErr();
                if (answer.page().path("forged").asInt() > 0) {
                    err.println(answer.page().path("forged").asInt() + " record(s) without a valid MAC left out "
                        + "(--forged shows them, flagged)");
                }
                if (answer.page().path("more").asBoolean()) {
                    err.println("older records: add --cursor " + answer.page().path("cursor").asText());
                }
                err.flush();
            }
            JsonNode result = answer.result() == null ? null : shape.apply(answer.result());
            if (json) {
                out.println(result == null ? "null"
                    : AdminApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            } else if (result == null || result.isNull()) {
                out.println("done");
            } else {
                view.print(result, out, ZoneId.systemDefault());
            }
            out.flush();
            return OK;
        }

        private String readToken() {
            try {
                return Files.readString(tokenFile).trim();
            } catch (java.io.IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--token-file " + tokenFile
                    + " cannot be read (" + e.getClass().getSimpleName() + "): with the embedded broker the token is "
                    + "in <embedded.dataDir>/operator.token, e.g. data/operator.token");
            }
        }

        static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isEmpty() ? fallback : v;
        }
    }

    abstract static class GroupCommand implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = {"-g", "--group"}, required = true, description = "consumer group")
        String group;

        String path(String rest) {
            return "/admin/groups/" + group + rest;
        }
    }

    @Command(name = "groups", description = "List the consumer groups and their settings.")
    static final class Groups implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            return target.call("GET", "/admin/groups", null);
        }
    }

    @Command(name = "group", description = "Show a group's settings and where each comes from.")
    static final class Group extends GroupCommand {
        @Override
        public Integer call() throws Exception {
            return target.call("GET", path(""), null);
        }
    }

    @Command(name = "set", description = "Change a group's settings, e.g. set -g G maxPullSize=16 pullTimeoutSeconds=5")
    static final class Change extends GroupCommand {
        @Parameters(arity = "1..*", paramLabel = "SETTING=VALUE")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            settings.forEach((k, v) -> body.put(k, v.matches("-?\\d+") ? (Object) Long.parseLong(v)
                : v.equals("true") || v.equals("false") ? (Object) Boolean.parseBoolean(v) : v));
            return target.call("PATCH", path(""), body);
        }
    }

    @Command(name = "pause", description = "Pause a group: its polls hand out nothing; acks still work.")
    static final class Pause extends GroupCommand {
        @Override
        public Integer call() throws Exception {
            return target.call("POST", path("/pause"), null);
        }
    }

    @Command(name = "resume", description = "Resume a paused group.")
    static final class Resume extends GroupCommand {
        @Override
        public Integer call() throws Exception {
            return target.call("POST", path("/resume"), null);
        }
    }

    @Command(name = "rate", description = "Limit a group to messages per second across all instances (0: no limit).")
    static final class Rate extends GroupCommand {
        @Option(names = "--limit", required = true)
        int limit;

        @Override
        public Integer call() throws Exception {
            return target.call("PATCH", path(""), Map.of("rateLimit", limit));
        }
    }

    @Command(name = "filter", description = {"Set or clear a group's subscription filter, applied by the broker: "
        + "--tag \"paid || refunded\", --sql \"region = 'eu' AND amount > 100\" (over message properties), or --clear.",
        "Messages a filter passes over count as consumed by the group: clearing or widening it later does not bring "
        + "them back (reset the group's offset for that)."})
    static final class Filter extends GroupCommand {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Choice choice;

        static final class Choice {
            @Option(names = "--tag", paramLabel = "TAGS", description = "tags separated by ||")
            String tag;
            @Option(names = "--sql", paramLabel = "CONDITION", description = "an SQL92 condition over properties")
            String sql;
            @Option(names = "--clear", description = "no filter: every message of the topic")
            boolean clear;
        }

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (choice.clear) {
                body.put("filter", null);
            } else {
                body.put("filter", Map.of("type", choice.tag != null ? "TAG" : "SQL92",
                    "expression", choice.tag != null ? choice.tag : choice.sql));
            }
            return target.call("PATCH", path(""), body);
        }
    }

    @Command(name = "lag", description = {"Backlog, in flight, retries, dead letters and the oldest message's "
        + "age, as the collecting instance last read them: every group, or one group per queue (-g).",
        "--offsets: the group's offsets per queue, as the broker keeps them."})
    static final class Lag implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = {"-g", "--group"}, description = "one consumer group, per queue (default: every group)")
        String group;
        @Option(names = "--offsets", description = "the group's offsets per queue (needs -g)")
        boolean offsets;
        @Option(names = "--client-id", description = "with --offsets: one broadcast clientId (default: every one)")
        String clientId;

        @Override
        public Integer call() throws Exception {
            if (group == null) {
                if (offsets || clientId != null) {
                    throw new CommandLine.ParameterException(target.spec.commandLine(),
                        (offsets ? "--offsets" : "--client-id") + " needs a group: -g GROUP");
                }
                return target.call("GET", "/admin/lag", null, Views::lagAll);
            }
            if (!offsets) {
                return target.call("GET", "/admin/groups/" + group + "/lag?minutes=1", null, Views::lagGroup);
            }
            return target.call("GET", "/admin/groups/" + group + "/queues" + (clientId == null ? "" : "?clientId="
                + java.net.URLEncoder.encode(clientId, java.nio.charset.StandardCharsets.UTF_8)), null, Table::printResult,
                Lag::unwrap);
        }

        /** A clustering group's offsets come keyed by "" (no clientId): just the list, then. */
        static JsonNode unwrap(JsonNode byClient) {
            return byClient.size() == 1 && byClient.has("") ? byClient.get("") : byClient;
        }
    }

    @Command(name = "clients", description = "A broadcast group's clientIds and their last activity.")
    static final class Clients extends GroupCommand {
        @Override
        public Integer call() throws Exception {
            return target.call("GET", path("/clients"), null);
        }
    }

    @Command(name = "reset", description = "Move where a group reads: --to earliest | latest | epoch ms | ISO time.")
    static final class Reset extends GroupCommand {
        @Option(names = "--to", required = true)
        String to;
        @Option(names = "--client-id", description = "one broadcast clientId (required for broadcast groups)")
        String clientId;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("to", to);
            if (clientId != null) {
                body.put("clientId", clientId);
            }
            return target.call("POST", path("/reset"), body);
        }
    }

    @Command(name = "resend", description = "Deliver one message again to a group, by its id.")
    static final class Resend extends GroupCommand {
        @Option(names = "--id", required = true, description = "the message id (produce's msgId)")
        String id;
        @Option(names = "--client-id", description = "one broadcast clientId, or * for every one")
        String clientId;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("messageId", id);
            if (clientId != null) {
                body.put("clientId", clientId);
            }
            return target.call("POST", path("/redeliver"), body);
        }
    }

    @Command(name = "dlq", description = "List a group's dead letters, or redrive them (--redrive with --id, --all, "
        + "or a selection: --key, --tag, --since, --until, --text; --dry-run shows how many and which first; "
        + "--rate sends at most that many a second, in the background: --progress <id> shows how far it is).")
    static final class Dlq extends GroupCommand {
        @Option(names = "--limit", defaultValue = "50")
        int limit;
        @Option(names = "--redrive", description = "send dead letters back into consumption")
        boolean redrive;
        @Option(names = "--id", description = "a dead letter's id (repeatable)")
        List<String> ids;
        @Option(names = "--all", description = "every dead letter")
        boolean all;
        @Option(names = "--client-id")
        String clientId;
        @Option(names = "--key", description = "select dead letters with this key")
        String key;
        @Option(names = "--tag", description = "select dead letters with this tag")
        String tag;
        @Option(names = "--since", description = "select dead letters stored at or after (epoch ms or ISO time)")
        String since;
        @Option(names = "--until", description = "select dead letters stored before (epoch ms or ISO time)")
        String until;
        @Option(names = "--text", description = "select dead letters whose body contains this text")
        String text;
        @Option(names = "--dry-run", description = "with --redrive: how many would be redriven, and the first")
        boolean dryRun;
        @Option(names = "--rate", description = "with --redrive: at most this many messages per second")
        Integer rate;
        @Option(names = "--progress", description = "a background redrive's progress, by the id it answered")
        String progress;

        @Override
        public Integer call() throws Exception {
            if (progress != null) {
                return target.call("GET", path("/dlq/redrives/" + java.net.URLEncoder.encode(progress,
                    java.nio.charset.StandardCharsets.UTF_8)), null);
            }
            if (!redrive) {
                return target.call("GET", path("/dlq?limit=" + limit + (clientId == null ? "" : "&clientId="
                    + java.net.URLEncoder.encode(clientId, java.nio.charset.StandardCharsets.UTF_8))), null);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            Map<String, Object> selection = new LinkedHashMap<>();
            putIf(selection, "key", key);
            putIf(selection, "tag", tag);
            putIf(selection, "since", since);
            putIf(selection, "until", until);
            putIf(selection, "text", text);
            if (all) {
                body.put("all", true);
            } else if (ids != null || selection.isEmpty()) {
                body.put("messageIds", ids == null ? List.of() : ids);
            }
            body.putAll(selection);
            putIf(body, "clientId", clientId);
            putIf(body, "ratePerSecond", rate);
            if (dryRun) {
                body.put("dryRun", true);
            }
            return target.call("POST", path("/dlq/redrive"), body);
        }

        private static void putIf(Map<String, Object> body, String name, Object value) {
            if (value != null) {
                body.put(name, value);
            }
        }
    }

    @Command(name = "release", description = "Let go of the queues a queue-held group's clients hold.")
    static final class Release extends GroupCommand {
        @Option(names = "--client-id")
        String clientId;

        @Override
        public Integer call() throws Exception {
            return target.call("POST", path("/release-held-queues"), clientId == null ? Map.of()
                : Map.of("clientId", clientId));
        }
    }

    @Command(name = "register", description = "Register a group at run time: register -g G --topic T [--broadcast] [--pop].")
    static final class Register extends GroupCommand {
        @Option(names = "--topic", required = true)
        String topic;
        @Option(names = "--broadcast")
        boolean broadcast;
        @Option(names = "--pop", description = "concurrent (default: queue-held, in order)")
        boolean pop;

        @Override
        public Integer call() throws Exception {
            return target.call("POST", "/admin/groups", Map.of("name", group, "topic", topic,
                "mode", broadcast ? "broadcast" : "clustering", "pop", pop));
        }
    }

    @Command(name = "unregister", description = "Stop serving a group registered at run time.")
    static final class Unregister extends GroupCommand {
        @Override
        public Integer call() throws Exception {
            return target.call("DELETE", path(""), null);
        }
    }

    @Command(name = "producers", description = "List producers, or register (--add NAME --topic T) or remove (--remove NAME) one.")
    static final class Producers implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = "--add")
        String add;
        @Option(names = "--topic")
        String topic;
        @Option(names = "--remove")
        String remove;

        @Override
        public Integer call() throws Exception {
            if (add != null) {
                return target.call("POST", "/admin/producers", Map.of("name", add, "topic", topic == null ? "" : topic));
            }
            if (remove != null) {
                return target.call("DELETE", "/admin/producers/" + remove, null);
            }
            return target.call("GET", "/admin/producers", null);
        }
    }

    @Command(name = "topic", description = "Create a topic on every master broker: topic --name T [--queues N].")
    static final class Topic implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = "--name", required = true)
        String name;
        @Option(names = "--queues")
        Integer queues;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (queues != null) {
                body.put("queues", queues);
            }
            return target.call("POST", "/admin/topics", body);
        }
    }

    @Command(name = "instances", description = "The proxy instances the brokers see alive.")
    static final class Instances implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            return target.call("GET", "/admin/instances", null);
        }
    }

    @Command(name = "audit", description = "The newest control-plane changes, for one group or all, each with "
        + "what it changed (field: before → after); --cursor for older ones.")
    static final class Audit implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = {"-g", "--group"})
        String group;
        @Option(names = "--limit", defaultValue = "50")
        int limit;
        @Option(names = "--since", description = "records dated at or after (epoch ms or ISO-8601)")
        String since;
        @Option(names = "--until", description = "records dated at or before (epoch ms or ISO-8601)")
        String until;
        @Option(names = "--cursor", description = "continue further back, from the previous page's cursor")
        String cursor;
        @Option(names = "--forged", description = "also show records without a valid MAC, flagged")
        boolean forged;

        @Override
        public Integer call() throws Exception {
            StringBuilder path = new StringBuilder("/admin/audit?limit=" + limit);
            for (String[] p : new String[][] {{"target", group}, {"since", since}, {"until", until},
                {"cursor", cursor}, {"forged", forged ? "true" : null}}) {
                if (p[1] != null) {
                    path.append('&').append(p[0]).append('=')
                        .append(java.net.URLEncoder.encode(p[1], java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return target.call("GET", path.toString(), null, Views::audit);
        }
    }

    @Command(name = "msg", description = "Find messages: --id ID [--topic T] [--states], --topic T --key K, "
        + "or --topic T --since TIME [--until TIME] [--tag X] [--cursor C].")
    static final class Msg implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = "--id", description = "the msgId produce answered (needs --topic) or the broker's offset id")
        String id;
        @Option(names = "--topic")
        String topic;
        @Option(names = "--key")
        String key;
        @Option(names = "--since", description = "epoch ms or ISO-8601, e.g. 2026-12-01T10:00:00Z")
        String since;
        @Option(names = "--until")
        String until;
        @Option(names = "--tag")
        String tag;
        @Option(names = "--page-size")
        Integer pageSize;
        @Option(names = "--cursor", description = "the previous page's cursor")
        String cursor;
        @Option(names = "--states", description = "where the message is for each group of its topic")
        boolean states;
        @Option(names = "--client-id", description = "with --states: one broadcast clientId")
        String clientId;
        @Option(names = "--full", description = "whole bodies, not previews")
        boolean full;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder();
            add(q, "id", id);
            add(q, "topic", topic);
            add(q, "key", key);
            add(q, "since", since);
            add(q, "until", until);
            add(q, "tag", tag);
            add(q, "pageSize", pageSize == null ? null : pageSize.toString());
            add(q, "cursor", cursor);
            add(q, "states", states ? "true" : null);
            add(q, "clientId", clientId);
            add(q, "full", full ? "true" : null);
            return target.call("GET", "/admin/messages?" + q, null);
        }

        private static void add(StringBuilder q, String name, String value) {
            if (value != null) {
                q.append(q.length() == 0 ? "" : "&").append(name).append('=')
                    .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Command(name = "credentials", description = "Data clients' credentials: list; --issue ID --producer P "
        + "--consumer G [--expires TIME]; --revoke ID.")
    static final class Credentials implements Callable<Integer> {
        @Mixin
        Target target;
        @Option(names = "--issue", description = "issue a credential with this id; its secret is printed once")
        String issue;
        @Option(names = "--producer", description = "a producer it may produce with (repeatable)")
        List<String> producers;
        @Option(names = "--consumer", description = "a consumer group it may consume from (repeatable)")
        List<String> consumers;
        @Option(names = "--expires", description = "epoch ms or ISO-8601; default never")
        String expires;
        @Option(names = "--revoke", description = "revoke the credential with this id")
        String revoke;

        @Override
        public Integer call() throws Exception {
            if (revoke != null) {
                return target.call("DELETE", "/admin/credentials/" + revoke, null);
            }
            if (issue == null) {
                return target.call("GET", "/admin/credentials", null);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", issue);
            body.put("producers", producers == null ? List.of() : producers);
            body.put("consumers", consumers == null ? List.of() : consumers);
            if (expires != null) {
                body.put("expiresAt", expires.matches("\\d+") ? Long.parseLong(expires)
                    : java.time.Instant.parse(expires).toEpochMilli());
            }
            return target.call("POST", "/admin/credentials", body);
        }
    }
}
