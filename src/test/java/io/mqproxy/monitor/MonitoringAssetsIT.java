package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alerting rules in docs/ name only metrics a running proxy
 * exports: the proxy is driven through everything that makes a series appear (productions, a failed
 * one, polls, acks, a give-back, a dead letter, an operator's re-delivery, a refused poll, a broadcast
 * clientId, a firing alert and its notification), then every name the files use is looked up in the
 * scrape.
 */
class MonitoringAssetsIT {
    private static final Path DASHBOARD = Path.of("docs", "grafana", "mq-proxy-dashboard.json");
    private static final Path ALERTS = Path.of("docs", "prometheus", "mq-proxy-alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:mqproxy|jvm|process|system)_[a-z0-9_]+)\\b");
    private static final String TOKEN = "operator-token-0123456789";
    private static final Duration SOON = Duration.ofSeconds(60);
    private static WebhookReceiver receiver;
    private static TestProxy proxy;
    private static ProxyClient client;
    private static String topic;
    private static String group;
    private static String broadcast;
    private static String idleTopic;
    private static String alertTopic;

    @BeforeAll
    static void start() {
        receiver = new WebhookReceiver();
        topic = TestBroker.get().newTopic("assets", 2);
        group = "g-" + topic;
        broadcast = "bc-" + topic;
        idleTopic = TestBroker.get().newTopic("assets-idle", 1);
        alertTopic = TestBroker.get().newTopic("assets-alert", 1);
        proxy = TestProxy.builder().operator("ops", TOKEN)
            .producer("p-" + topic, topic)
            .producer("p-nowhere-" + topic, "no-such-topic-" + System.nanoTime())
            .consumer(group, topic, Map.of("pop", true, "consumeTimeoutSeconds", 1, "minConsumeTimeoutSeconds", 1,
                "maxRetries", 0))
            .consumer(broadcast, topic, Map.of("mode", "broadcast"))
            .consumer("g-" + idleTopic, idleTopic, Map.of("pop", true))
            .producer("p-" + idleTopic, idleTopic)
            .producer("p-" + alertTopic, alertTopic)
            .consumer("g-" + alertTopic, alertTopic, Map.of("pop", true))
            .set("monitor.intervalSeconds", "1")
            .set("consume.maxPollsInFlight", "1")
            .monitor("groupRules", List.of(Map.of("group", "g-" + alertTopic, "backlog", 1)))
            .monitor("webhooks", List.of(Map.of("url", receiver.url("/ok"), "secret", "assets-secret-0123456789")))
            .start();
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

    /** Every metric name an expression of the file uses. */
    private static Set<String> referenced(Path file) throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(file));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theFilesParse_asGrafanaAndPrometheusReadThem() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThan(10);
        assertThat(dashboard.findValuesAsText("expr")).isNotEmpty().allSatisfy(e -> assertThat(e).isNotBlank());
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        assertThat(rules.path("groups")).isNotEmpty();
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                assertThat(r.path("alert").asText()).isNotBlank();
                assertThat(r.path("expr").asText()).isNotBlank();
            }
        }
    }

    /**
     * Issue 22: counters existed only from their first event, so on a fresh proxy panels showed "no data"
     * and absent() rules fired. Nothing is produced or consumed here. A proxy with its own embedded broker,
     * so that it is the fleet's collecting instance (lag and alerts_firing are exported there only). Lag is
     * measured, not assumed: its series come with the first collection (a second after start here), which
     * the test waits for. Only the per-clientId lag of broadcast groups stays out: no clientId is known
     * before a client polls.
     */
    @Test
    void aFreshProxy_exportsEveryMetricTheFilesUse_beforeAnyTraffic() throws Exception {
        String fresh = "assets-fresh";
        try (TestProxy idle = TestProxy.builder().embedded(Files.createTempDirectory("mqproxy-assets-fresh"))
            .producer("p-" + fresh, fresh)
            .consumer("g-" + fresh, fresh, Map.of("pop", true))
            .consumer("bc-" + fresh, fresh, Map.of("mode", "broadcast"))
            .set("monitor.intervalSeconds", "1")
            .monitor("groupRules", List.of(Map.of("group", "g-" + fresh, "backlog", 1000)))
            .start()) {
            await().atMost(SOON).until(() -> MetricsScrape.of(idle.client())
                .value("mqproxy_monitor_last_collection_timestamp_seconds") > 0);
            Set<String> wanted = new TreeSet<>(referenced(DASHBOARD));
            wanted.addAll(referenced(ALERTS));
            wanted.removeIf(name -> name.startsWith("mqproxy_lag_client_"));
            // The JVM's GC pause series are labelled by collector and cause: they exist once a collection
            // happened after the meters were bound (in a proxy's own JVM, during its start).
            System.gc();
            await().atMost(SOON).untilAsserted(() -> {
                Set<String> missing = new TreeSet<>(wanted);
                missing.removeAll(MetricsScrape.of(idle.client()).names());
                assertThat(missing)
                    .as("metrics the dashboard or the alert rules use that a fresh proxy does not export").isEmpty();
            });
        }
    }

    @Test
    void everyMetricTheDashboardAndTheAlertRulesUse_isExported() throws Exception {
        String producer = "p-" + topic;
        for (int i = 0; i < 3; i++) {
            assertThat(client.produce(form("producer", "p-" + alertTopic, "message", "w" + i)).status()).isEqualTo(200);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(client.produce(form("producer", producer, "message", "a" + i)).status()).isEqualTo(200);
        }
        // A send that fails: the producer's topic does not exist.
        assertThat(client.produce(form("producer", "p-nowhere-" + topic, "message", "x")).status()).isEqualTo(500);

        // Deliveries, an ack, a give-back.
        Consumer c = new Consumer(client, topic, group).with("maxPullSize", "1");
        await().atMost(SOON).until(() -> Consumer.bodies(c.pollWithoutAck()).size() == 1);
        c.pollWithoutAck();
        assertThat(c.call("/mq/ack").status()).isEqualTo(200);
        await().atMost(SOON).until(() -> Consumer.bodies(c.pollWithoutAck()).size() == 1);
        assertThat(c.call("/mq/unlock").status()).isEqualTo(200);

        // Not acked, past maxRetries 0: dead-lettered at its next delivery.
        await().atMost(SOON).until(() -> {
            c.pollWithoutAck();
            return MetricsScrape.of(client).value("mqproxy_consume_dead_letters_total", "consumer", group) >= 1;
        });

        // A broadcast clientId.
        Consumer bc = new Consumer(client, topic, broadcast).with("clientId", "assets-client");
        assertThat(bc.pollWithoutAck().status()).isEqualTo(200);

        // A poll refused at consume.maxPollsInFlight (1) while a long poll waits on a group with nothing to read.
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(() ->
            new Consumer(client, idleTopic, "g-" + idleTopic).with("pullTimeout", "10").poll());
        await().atMost(SOON).until(() -> new Consumer(client, topic, group).poll().status() == 503);
        // A message for the long poll answers it now, not at its 10 s pullTimeout.
        assertThat(client.produce(form("producer", "p-" + idleTopic, "message", "wake")).status()).isEqualTo(200);
        assertThat(Consumer.bodies(waiting.join())).containsExactly("wake");

        // An operator's re-delivery (on a group that never had a retry: RocketMQ registers a retry topic
        // the broker creates itself only at its next registration, up to 30 s later, and re-delivery
        // fails until then; see docs/monitoring.md).
        Reply stored = client.produce(form("producer", "p-" + idleTopic, "message", "again"));
        assertThat(stored.status()).isEqualTo(200);
        Reply again = client.admin("POST", "/admin/groups/g-" + idleTopic + "/redeliver", TOKEN,
            "{\"messageId\":\"" + stored.result().path("msgId").asText() + "\"}");
        assertThat(again.httpStatus()).as(again.raw().body()).isEqualTo(200);

        // The alert of the file's rule (backlog over 1, on a group nobody consumes) fired and was notified.
        await().atMost(SOON).until(() -> !receiver.at("/ok", "firing", "g-" + alertTopic).isEmpty());
        System.gc();

        Set<String> wanted = new TreeSet<>(referenced(DASHBOARD));
        wanted.addAll(referenced(ALERTS));
        assertThat(wanted).hasSizeGreaterThan(30);
        await().atMost(SOON).untilAsserted(() -> {
            Set<String> exported = MetricsScrape.of(client).names();
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(exported);
            assertThat(missing).as("metrics the dashboard or the alert rules use that /metrics does not export")
                .isEmpty();
        });
    }
}
