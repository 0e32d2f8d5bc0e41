package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LagCollections;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alert rules set at run time fire to real webhooks (an HTTP server in the test): once per firing,
 * signed, resolved when the backlog is drained; a failing webhook is retried; a hanging one holds
 * nothing the data plane needs.
 */
class AlertWebhookIT {
    private static final String TOKEN = "operator-token-0123456789";
    private static final String OK_SECRET = "ok-secret-0123456789";
    private static final Duration FIRST = Duration.ofSeconds(60);
    private static final Duration SOON = Duration.ofSeconds(30);
    private static WebhookReceiver receiver;
    private static TestProxy proxy;
    private static ProxyClient client;
    private static final String[] LANES = {"fires", "hangs", "traffic"};
    private static final Map<String, String> topics = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void start() {
        receiver = new WebhookReceiver().failFirst("/flaky", 2);
        TestProxy.Builder b = TestProxy.builder().operator("ops", TOKEN)
            .set("monitor.intervalSeconds", "1")
            // The hanging webhook holds a notification for 3 attempts of 2 s; the flaky one fails twice, then
            // takes it at its last attempt.
            .set("monitor.webhookTimeoutSeconds", "2")
            .set("monitor.webhookRetries", "2")
            .set("monitor.webhookRetryMillis", "200")
            .monitor("webhooks", List.of(
                Map.of("url", receiver.url("/ok"), "secret", OK_SECRET),
                Map.of("url", receiver.url("/flaky"), "secret", "flaky-secret-0123456789"),
                Map.of("url", receiver.url("/hang"), "secret", "hang-secret-0123456789")));
        for (String lane : LANES) {
            String topic = TestBroker.get().newTopic("alert-" + lane, 2);
            topics.put(lane, topic);
            b.producer(producer(lane), topic).consumer(group(lane), topic, Map.of("pop", true));
        }
        proxy = b.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static String group(String lane) {
        return "g-" + topics.get(lane);
    }

    private static String producer(String lane) {
        return "p-" + topics.get(lane);
    }

    private static void produce(String lane, int n) {
        for (int i = 0; i < n; i++) {
            Reply r = client.produce(form("producer", producer(lane), "message", lane + i));
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        }
    }

    private static Reply admin(String method, String path, String json) {
        Reply r = client.admin(method, path, TOKEN, json);
        assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
        return r;
    }

    /** The receiver's check, written here from the documented scheme (not with the proxy's own class). */
    private static String hmac(String secret, String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void aLowBacklogRule_firesOnce_signed_isRetriedWhereItFails_andResolvesWhenDrained() throws Exception {
        String g = group("fires");
        JsonNode set = admin("PUT", "/admin/alerts/groups/" + g, "{\"backlog\":3}").result();
        assertThat(set.path("rules").path("backlog").asLong()).isEqualTo(3);
        assertThat(set.path("sources").path("backlog").asText()).isEqualTo("group runtime");
        produce("fires", 5);

        await().atMost(FIRST).until(() -> receiver.at("/ok", "firing", g).size() >= 1);
        WebhookReceiver.Received firing = receiver.at("/ok", "firing", g).get(0);
        JsonNode n = firing.json();
        assertThat(n.path("rule").asText()).isEqualTo("backlog");
        assertThat(n.path("value").asDouble()).isEqualTo(5.0);
        assertThat(n.path("threshold").asLong()).isEqualTo(3);
        assertThat(n.path("unit").asText()).isEqualTo("messages");
        assertThat(n.path("topic").asText()).isEqualTo(topics.get("fires"));
        assertThat(n.path("summary").asText()).contains(g, "5 messages", "3");
        assertThat(Instant.parse(n.path("since").asText())).isBefore(Instant.now());
        assertThat(n.path("link").asText()).endsWith("/console/#/group/" + g)
            .startsWith("http://127.0.0.1:" + client.adminPort());
        assertThat(firing.header("X-MQProxy-Event")).isEqualTo("firing");
        String timestamp = firing.header("X-MQProxy-Timestamp");
        assertThat(Math.abs(Long.parseLong(timestamp) - Instant.now().getEpochSecond())).isLessThan(120);
        assertThat(firing.header("X-MQProxy-Signature")).isEqualTo(hmac(OK_SECRET, timestamp, firing.body()))
            .isNotEqualTo(hmac("another-secret-0123456", timestamp, firing.body()));

        // The failing webhook got the same notification until it took it: 2 failures, then 200.
        await().atMost(SOON).until(() -> receiver.at("/flaky", "firing", g).size() >= 3);
        assertThat(receiver.at("/flaky", "firing", g)).extracting(r -> r.header("X-MQProxy-Delivery"))
            .containsOnly(firing.header("X-MQProxy-Delivery"));

        // Still above the threshold for several collections: still one notification. (Delivery is at least once:
        // an attempt the receiver answered too late for the proxy is sent again, with the same delivery id.)
        LagCollections.awaitMore(client, 3);
        assertThat(deliveries("/ok", "firing", g)).hasSize(1);
        assertThat(deliveries("/flaky", "firing", g)).hasSize(1);

        // Its state on the admin port: firing since, and each webhook's last result.
        JsonNode alerts = admin("GET", "/admin/alerts?group=" + g, null).result();
        JsonNode backlog = null;
        for (JsonNode a : alerts) {
            if (a.path("rule").asText().equals("backlog")) {
                backlog = a;
            }
        }
        assertThat(backlog).isNotNull();
        assertThat(backlog.path("status").asText()).isEqualTo("firing");
        assertThat(backlog.path("since").asLong()).isPositive();
        JsonNode results = backlog.path("notifications");
        await().atMost(SOON).untilAsserted(() -> {
            JsonNode now = firingState(g).path("notifications");
            assertThat(outcome(now, "webhooks[0]")).isEqualTo("ok");
            assertThat(outcome(now, "webhooks[1]")).isEqualTo("ok");
        });
        assertThat(results.toString()).doesNotContain("/ok").doesNotContain("secret");
        assertThat(MetricsScrape.of(client).value("mqproxy_alerts_firing", "group", g, "rule", "backlog"))
            .isEqualTo(1.0);

        // Drained: one resolved notification.
        Consumer c = new Consumer(client, topics.get("fires"), g).with("maxPullSize", "32");
        await().atMost(SOON).until(() -> {
            c.poll();
            return MetricsScrape.of(client).value("mqproxy_lag_backlog_messages", "group", g) == 0.0;
        });
        await().atMost(SOON).until(() -> receiver.at("/ok", "resolved", g).size() >= 1);
        JsonNode resolved = receiver.at("/ok", "resolved", g).get(0).json();
        assertThat(resolved.path("since").asText()).isEqualTo(n.path("since").asText());
        assertThat(resolved.path("resolvedAt").asText()).isNotEmpty();
        // Still one resolve several collections later.
        LagCollections.awaitMore(client, 3);
        assertThat(deliveries("/ok", "resolved", g)).hasSize(1);
        assertThat(deliveries("/ok", "firing", g)).hasSize(1);
        assertThat(MetricsScrape.of(client).value("mqproxy_alerts_firing", "group", g, "rule", "backlog"))
            .as("resolved: the rule in force reads 0").isEqualTo(0.0);

        // The rule change is audited like every control change.
        JsonNode audit = admin("GET", "/admin/audit?target=" + g, null).result();
        assertThat(audit.findValuesAsText("action")).contains("set-alert-rules");
    }

    /** The distinct notifications a path received: retries of one carry its delivery id. */
    private static java.util.Set<String> deliveries(String path, String status, String g) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        receiver.at(path, status, g).forEach(r -> ids.add(r.header("X-MQProxy-Delivery")));
        return ids;
    }

    private static JsonNode firingState(String g) {
        for (JsonNode a : admin("GET", "/admin/alerts?group=" + g, null).result()) {
            if (a.path("rule").asText().equals("backlog")) {
                return a;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String outcome(JsonNode notifications, String webhook) {
        for (JsonNode r : notifications) {
            if (r.path("webhook").asText().startsWith(webhook + " ")) {
                return r.path("outcome").asText();
            }
        }
        return null;
    }

    @Test
    void aHangingWebhook_doesNotSlowProduceOrConsume() {
        String g = group("hangs");
        admin("PUT", "/admin/alerts/groups/" + g, "{\"backlog\":1}");
        produce("hangs", 3);
        // The hanging webhook has the notification and holds it (2 s per attempt, 3 attempts).
        await().atMost(FIRST).until(() -> !receiver.at("/hang", "firing", g).isEmpty());
        assertThat(MetricsScrape.of(client).value("mqproxy_alert_notifications_pending")).isPositive();

        // Traffic on another group (its backlog stays put, so the alert keeps firing and is not notified again).
        List<Long> millis = new ArrayList<>();
        Consumer c = new Consumer(client, topics.get("traffic"), group("traffic")).with("maxPullSize", "4");
        for (int i = 0; i < 40; i++) {
            long began = System.nanoTime();
            Reply p = client.produce(form("producer", producer("traffic"), "message", "during" + i));
            assertThat(p.status()).isEqualTo(200);
            Reply poll = c.poll();
            assertThat(poll.status()).isEqualTo(200);
            long took = (System.nanoTime() - began) / 1_000_000;
            millis.add(took);
            // A functional bound only (the machine is shared): nothing waits for the webhook's 2 s time-outs.
            assertThat(took).as("produce + poll %d", i).isLessThan(2_000);
        }
        assertThat(outcome(firingState(g).path("notifications"), "webhooks[2]"))
            .as("the traffic ran while the webhook held the notification").isEqualTo("pending");
        millis.sort(Long::compare);
        System.out.println("produce + poll while a webhook hangs: median " + millis.get(millis.size() / 2)
            + " ms, max " + millis.get(millis.size() - 1) + " ms");

        // Its notification ends as failed after its attempts, said in the alert's state.
        await().atMost(FIRST).untilAsserted(() -> {
            JsonNode state = null;
            for (JsonNode a : admin("GET", "/admin/alerts?group=" + g, null).result()) {
                if (a.path("rule").asText().equals("backlog")) {
                    state = a;
                }
            }
            assertThat(state).isNotNull();
            JsonNode hang = null;
            for (JsonNode r : state.path("notifications")) {
                if (r.path("webhook").asText().startsWith("webhooks[2] ")) {
                    hang = r;
                }
            }
            assertThat(hang).isNotNull();
            assertThat(hang.path("outcome").asText()).isEqualTo("failed");
            assertThat(hang.path("attempts").asInt()).isEqualTo(3);
            assertThat(hang.path("error").asText()).contains("no answer within 2 s");
        });
    }

    @Test
    void ruleChanges_areRefusedWhenBad_namingTheField_andDefaultsLayerUnderGroups() {
        String g = group("traffic");
        String path = "/admin/alerts/groups/" + g;
        Reply negative = client.admin("PUT", path, TOKEN, "{\"backlog\":-1}");
        assertThat(negative.httpStatus()).isEqualTo(400);
        assertThat(negative.message()).contains("backlog");
        Reply notANumber = client.admin("PUT", path, TOKEN, "{\"oldestAgeSeconds\":\"soon\"}");
        assertThat(notANumber.httpStatus()).isEqualTo(400);
        assertThat(notANumber.message()).contains("oldestAgeSeconds");
        Reply typo = client.admin("PUT", path, TOKEN, "{\"backlg\":3}");
        assertThat(typo.httpStatus()).isEqualTo(400);
        assertThat(typo.message()).contains("backlg");
        assertThat(client.admin("PUT", "/admin/alerts/groups/nobody-here", TOKEN, "{\"backlog\":1}").httpStatus())
            .isEqualTo(404);
        assertThat(client.admin("GET", "/admin/alerts?status=loud", TOKEN, null).httpStatus()).isEqualTo(400);
        assertThat(client.admin("GET", "/admin/alerts", null, null).httpStatus()).isEqualTo(401);
        assertThat(client.admin("PUT", "/admin/alerts/defaults", "wrong-token-0123456789", "{}").httpStatus())
            .isEqualTo(401);
        assertThat(admin("GET", path, null).result().path("rules").path("backlog").asLong()).isZero();

        // Run-time defaults apply to every group without an entry of its own, and go with DELETE.
        JsonNode defaults = admin("PUT", "/admin/alerts/defaults", "{\"stuckSeconds\":600}").result();
        assertThat(defaults.path("rules").path("stuckSeconds").asLong()).isEqualTo(600);
        assertThat(defaults.path("sources").path("stuckSeconds").asText()).isEqualTo("runtime");
        JsonNode all = admin("GET", "/admin/alerts/rules", null).result();
        assertThat(all.path("groups").path(g).path("rules").path("stuckSeconds").asLong()).isEqualTo(600);
        assertThat(admin("DELETE", "/admin/alerts/defaults", null).result().path("rules").path("stuckSeconds")
            .asLong()).isZero();
        assertThat(admin("GET", "/admin/alerts/rules", null).result().path("groups").path(g).path("sources")
            .path("stuckSeconds").asText()).isEqualTo("config");
    }
}
