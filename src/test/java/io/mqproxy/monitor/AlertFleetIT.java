package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LagCollections;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two proxy instances on one broker: one collects and notifies, so a firing is sent once, not once
 * per instance; the other shows the alerts from the broker side; when the one that collects stops,
 * the other takes over without notifying the firing alert again, and sends its resolve.
 */
class AlertFleetIT {
    private static final String TOKEN = "operator-token-0123456789";
    private static final Duration FIRST = Duration.ofSeconds(60);
    private static final Duration SOON = Duration.ofSeconds(30);
    private static WebhookReceiver receiver;
    private static String topic;
    private static String group;
    private static String producer;
    private static TestProxy a;
    private static TestProxy b;

    @BeforeAll
    static void start() {
        receiver = new WebhookReceiver();
        topic = TestBroker.get().newTopic("alert-fleet", 2);
        group = "g-" + topic;
        producer = "p-" + topic;
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN)
            .producer(producer, topic).consumer(group, topic, Map.of("pop", true))
            .set("monitor.intervalSeconds", "1")
            .monitor("groupRules", List.of(Map.of("group", group, "backlog", 2)))
            .monitor("webhooks", List.of(Map.of("url", receiver.url("/ok"), "secret", "fleet-secret-0123456789")));
        a = builder.start();
        b = builder.start();
    }

    @AfterAll
    static void stop() {
        for (TestProxy p : new TestProxy[] {a, b}) {
            if (p != null) {
                p.close();
            }
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static boolean collects(TestProxy p) {
        return MetricsScrape.of(p.client()).value("mqproxy_monitor_leader") == 1.0;
    }

    /**
     * The distinct notifications received: delivery is at least once (an attempt answered too late for the
     * proxy is sent again), and a retry carries the notification's delivery id.
     */
    private static java.util.Set<String> deliveries(String status) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        receiver.at("/ok", status, group).forEach(r -> ids.add(r.header("X-MQProxy-Delivery")));
        return ids;
    }

    @Test
    void oneNotificationPerFiring_evenAcrossATakeOver() {
        for (int i = 0; i < 5; i++) {
            Reply r = a.client().produce(form("producer", producer, "message", "f" + i));
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        }
        await().atMost(FIRST).until(() -> receiver.at("/ok", "firing", group).size() >= 1);
        // Nothing more comes (no second firing, from either instance) for several collections of the leader.
        TestProxy leader = collects(a) ? a : b;
        TestProxy other = leader == a ? b : a;
        long otherCollections = LagCollections.done(other.client());
        LagCollections.awaitMore(leader.client(), 3);
        assertThat(deliveries("firing")).hasSize(1);
        assertThat(receiver.at("/ok", "firing", group)).extracting(r -> r.json().path("instance").asText())
            .containsOnly(receiver.at("/ok", "firing", group).get(0).json().path("instance").asText());

        // Exactly one instance collects, and only it exports lag.
        assertThat(LagCollections.done(other.client())).as("collections of the other instance meanwhile")
            .isEqualTo(otherCollections);
        assertThat(collects(other)).isFalse();
        assertThat(MetricsScrape.of(leader.client()).value("mqproxy_lag_backlog_messages", "group", group))
            .isEqualTo(5.0);
        assertThat(MetricsScrape.of(other.client()).all("mqproxy_lag_backlog_messages")).isEmpty();
        // The other shows the alert as the collecting one keeps it broker-side.
        await().atMost(SOON).untilAsserted(() -> {
            Reply r = other.client().admin("GET", "/admin/alerts?status=firing", TOKEN, null);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.result().findValuesAsText("group")).contains(group);
        });
        String firstSender = receiver.at("/ok", "firing", group).get(0).json().path("instance").asText();

        // The collecting instance stops: the other takes over, and does not notify the firing alert again.
        leader.close();
        if (leader == a) {
            a = null;
        } else {
            b = null;
        }
        await().atMost(FIRST).until(() -> collects(other));
        // The new collector does not fire again, for several collections.
        LagCollections.awaitMore(other.client(), 3);
        assertThat(deliveries("firing")).hasSize(1);

        // Drained: the new collector sends the one resolve.
        Consumer c = new Consumer(other.client(), topic, group).with("maxPullSize", "32");
        await().atMost(SOON).until(() -> {
            c.poll();
            return MetricsScrape.of(other.client()).value("mqproxy_lag_backlog_messages", "group", group) == 0.0;
        });
        await().atMost(SOON).until(() -> receiver.at("/ok", "resolved", group).size() >= 1);
        // One resolve, and no second one several collections later.
        LagCollections.awaitMore(other.client(), 3);
        assertThat(deliveries("resolved")).hasSize(1);
        assertThat(deliveries("firing")).hasSize(1);
        JsonNode resolved = receiver.at("/ok", "resolved", group).get(0).json();
        assertThat(resolved.path("instance").asText()).isNotEqualTo(firstSender);
    }
}
