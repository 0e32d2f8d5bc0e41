package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.cli.AdminCli;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The command line (java -jar mq-proxy.jar admin ...) against a real proxy: tables, JSON, exit codes. */
class AdminCliIT {
    private static final String TOKEN = "cli-token-0123456789abcdef";
    private static TestProxy proxy;
    private static String topic;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("cli", 2);
        proxy = TestProxy.builder().operator("cli-ops", TOKEN)
            .consumer("cli-group", topic, Map.of("pop", true))
            .consumer("cli-filtered", TestBroker.get().newTopic("cli-flt", 1), Map.of("pop", true))
            .producer("cli-producer", topic)
            .monitor("intervalSeconds", 1)
            .start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + proxy.config().admin().port();
        all[args.length + 2] = "--token";
        all[args.length + 3] = TOKEN;
        int code = AdminCli.run(all, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void groups_printsATable_andJsonForScripts() throws Exception {
        Run table = admin("groups");
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("name").contains("cli-group").contains(topic);
        Run json = admin("groups", "--json");
        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertThat(parsed.isArray()).isTrue();
    }

    @Test
    void pauseResumeAndSettings_changeTheGroup() throws Exception {
        assertThat(admin("pause", "-g", "cli-group").code()).isZero();
        JsonNode paused = new ObjectMapper().readTree(admin("group", "-g", "cli-group", "--json").out());
        assertThat(paused.path("group").path("paused").asBoolean()).isTrue();
        assertThat(admin("resume", "-g", "cli-group").code()).isZero();
        assertThat(admin("set", "-g", "cli-group", "maxPullSize=7").code()).isZero();
        JsonNode after = new ObjectMapper().readTree(admin("group", "-g", "cli-group", "--json").out());
        assertThat(after.path("group").path("paused").asBoolean()).isFalse();
        assertThat(after.path("group").path("maxPullSize").asInt()).isEqualTo(7);
        // The audit names what each change did (issue 22), not a generic "change-group".
        assertThat(admin("audit", "-g", "cli-group").out()).contains("pause", "resume", " set ", "cli-ops")
            .doesNotContain("change-group");
    }

    @Test
    void filter_setsATagOrSqlFilter_andClearsIt() throws Exception {
        assertThat(admin("filter", "-g", "cli-filtered", "--tag", "paid || refunded").code()).isZero();
        JsonNode tag = new ObjectMapper().readTree(admin("group", "-g", "cli-filtered", "--json").out());
        assertThat(tag.path("group").path("filter").path("type").asText()).isEqualTo("TAG");
        assertThat(tag.path("group").path("filter").path("expression").asText()).isEqualTo("paid || refunded");
        assertThat(admin("filter", "-g", "cli-filtered", "--sql", "region = 'eu'").code()).isZero();
        JsonNode sql = new ObjectMapper().readTree(admin("group", "-g", "cli-filtered", "--json").out());
        assertThat(sql.path("group").path("filter").path("type").asText()).isEqualTo("SQL92");
        Run bad = admin("filter", "-g", "cli-filtered", "--sql", "region =");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("400").contains("filter.expression");
        assertThat(admin("filter", "-g", "cli-filtered", "--clear").code()).isZero();
        JsonNode cleared = new ObjectMapper().readTree(admin("group", "-g", "cli-filtered", "--json").out());
        assertThat(cleared.path("group").has("filter")).isFalse();
        assertThat(admin("filter", "-g", "cli-filtered", "--tag", "a", "--clear").code()).as("one of them").isEqualTo(2);
        // The audit names the change and shows each filter as it reads: TAG paid || refunded.
        Run audit = admin("audit", "-g", "cli-filtered", "--limit", "5");
        assertThat(audit.out()).contains(" filter ").contains("TAG paid || refunded → SQL92 region = 'eu'")
            .doesNotContain("{\"");
    }

    @Test
    void failures_exitNonZero_withTheProxysMessage() {
        Run refused = admin("set", "-g", "cli-group", "maxPullSize=999");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("400").contains("maxPullSize");
        Run unknown = admin("group", "-g", "no-such-group");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("404");

        StringWriter err = new StringWriter();
        int code = AdminCli.run(new String[] {"groups", "--url", "http://127.0.0.1:" + proxy.config().admin().port(),
            "--token", "wrong-token-0123456789"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("401");
        assertThat(AdminCli.run(new String[] {"no-such-command"}, new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()))).isEqualTo(2);
    }

    @Test
    void reset_resend_dlq_lag_instances_answer() {
        assertThat(admin("reset", "-g", "cli-group", "--to", "latest").code()).isZero();
        assertThat(admin("lag", "-g", "cli-group").code()).isZero();
        assertThat(admin("dlq", "-g", "cli-group").out()).contains("(none)");
        Run resend = admin("resend", "-g", "cli-group", "--id", "0000000000000000");
        assertThat(resend.code()).isEqualTo(1);
        assertThat(resend.err()).contains("404");
        assertThat(admin("instances").code()).isZero();
    }

    @Test
    void dlq_redrivesBySelection_withDryRunRateAndProgress() throws Exception {
        Run dry = admin("dlq", "-g", "cli-group", "--redrive", "--tag", "A", "--since", "2026-01-01T00:00:00Z",
            "--dry-run", "--json");
        assertThat(dry.code()).as(dry.err()).isZero();
        JsonNode preview = new ObjectMapper().readTree(dry.out());
        assertThat(preview.path("dryRun").asBoolean()).isTrue();
        assertThat(preview.path("selected").asLong()).isZero();
        Run started = admin("dlq", "-g", "cli-group", "--redrive", "--text", "poison", "--rate", "5", "--json");
        assertThat(started.code()).as(started.err()).isZero();
        String id = new ObjectMapper().readTree(started.out()).path("id").asText();
        assertThat(id).hasSize(16);
        Run progress = admin("dlq", "-g", "cli-group", "--progress", id, "--json");
        assertThat(progress.code()).as(progress.err()).isZero();
        assertThat(new ObjectMapper().readTree(progress.out()).path("selection").path("text").asText())
            .isEqualTo("poison");
        Run refused = admin("dlq", "-g", "cli-group", "--redrive", "--rate", "0", "--all");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("400").contains("ratePerSecond");
    }

    @Test
    void msg_findsAMessageById_andSaysWhereItIs() throws Exception {
        var produced = proxy.client().produce(io.mqproxy.testing.ProxyClient.form("producer", "cli-producer",
            "message", "find me", "keys", "cli-key"));
        String id = produced.result().path("msgId").asText();
        Run found = admin("msg", "--id", id, "--topic", topic, "--states", "--json");
        assertThat(found.code()).as(found.err()).isZero();
        JsonNode m = new ObjectMapper().readTree(found.out()).get(0);
        assertThat(m.path("body").asText()).isEqualTo("find me");
        assertThat(m.path("states").get(0).path("group").asText()).isEqualTo("cli-group");
        Run missing = admin("msg", "--topic", topic);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("since");
    }

    private static final String LOCAL_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)";

    @Test
    void lag_showsBacklogInFlightRetryDeadLettersAndAge_asAdminLag() throws Exception {
        proxy.client().produce(io.mqproxy.testing.ProxyClient.form("producer", "cli-producer", "message", "lagging"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Run json = admin("lag", "--json");
            assertThat(json.code()).as(json.err()).isZero();
            assertThat(new ObjectMapper().readTree(json.out()).path("groups").path("cli-group").path("backlog").asLong())
                .isPositive();
        });
        Run all = admin("lag");
        assertThat(all.out()).containsPattern("read at " + LOCAL_TIME);
        assertThat(all.out().lines().filter(l -> l.startsWith("group")).findFirst().orElseThrow())
            .contains("backlog").contains("in flight").contains("retry").contains("dead letters").contains("oldest age");
        assertThat(all.out()).containsPattern("cli-group +" + topic + " +[1-9]");
        Run one = admin("lag", "-g", "cli-group");
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).contains("broker").contains("queue").contains("backlog");
        Run offsets = admin("lag", "-g", "cli-group", "--offsets");
        assertThat(offsets.code()).as(offsets.err()).isZero();
        assertThat(offsets.out().lines()).noneMatch(l -> l.strip().equals(":"));
        JsonNode offsetsJson = new ObjectMapper().readTree(admin("lag", "-g", "cli-group", "--offsets", "--json").out());
        assertThat(offsetsJson.isArray()).as("a clustering group's offsets, not keyed by \"\"").isTrue();
    }

    @Test
    void audit_showsWhatChanged_withLocalTimes_andEpochMillisInJson() throws Exception {
        assertThat(admin("resume", "-g", "cli-group").code()).isZero();
        assertThat(admin("pause", "-g", "cli-group").code()).isZero();
        assertThat(admin("resume", "-g", "cli-group").code()).isZero();
        Run audit = admin("audit", "-g", "cli-group", "--limit", "5");
        assertThat(audit.code()).as(audit.err()).isZero();
        assertThat(audit.out()).contains("paused: false → true").contains("paused: true → false")
            .containsPattern(LOCAL_TIME).doesNotContain("{\"");
        JsonNode json = new ObjectMapper().readTree(admin("audit", "-g", "cli-group", "--limit", "1", "--json").out());
        assertThat(json.get(0).path("time").isIntegralNumber()).isTrue();
    }

    @Test
    void alerts_setShowListClear_andTheMonitor() throws Exception {
        Run set = admin("alerts", "set", "-g", "cli-group", "backlog=1", "oldestAgeSeconds=3600");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).containsPattern("backlog +1 +");
        assertThat(admin("alerts", "show", "-g", "cli-group").out()).containsPattern("oldestAgeSeconds +3600 +");
        assertThat(admin("alerts", "show").out()).contains("(defaults)").containsPattern("cli-group +1 +3600");
        proxy.client().produce(io.mqproxy.testing.ProxyClient.form("producer", "cli-producer", "message", "alerting"));
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin("alerts", "list").out())
                .containsPattern("cli-group +backlog +firing +" + LOCAL_TIME));
            JsonNode firing = new ObjectMapper().readTree(admin("alerts", "list", "-g", "cli-group", "--json").out());
            assertThat(firing.get(0).path("since").isIntegralNumber()).isTrue();
        } finally {
            assertThat(admin("alerts", "clear", "-g", "cli-group").code()).isZero();
        }
        assertThat(admin("alerts", "show", "-g", "cli-group").out()).containsPattern("backlog +0 \\(off\\)");
        Run bad = admin("alerts", "set", "--defaults", "backlog=-1");
        assertThat(bad.code()).isEqualTo(AdminCli.REFUSED);
        assertThat(bad.err()).contains("400").contains("backlog");
        Run monitor = admin("alerts", "monitor");
        assertThat(monitor.out()).contains("collecting: true").contains("lastCollection:")
            .containsPattern("at: " + LOCAL_TIME);
    }
}
