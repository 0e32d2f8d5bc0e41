package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lag per broadcast clientId: each clientId is a consumer of its own, with its own backlog and
 * in-flight; past {@code monitor.maxClientIdSeries} only the largest backlogs get series of their own
 * and the rest are summed into clientId {@code _other}.
 */
class BroadcastLagIT {
    private static final int MESSAGES = 12;
    private static final Duration SOON = Duration.ofSeconds(30);
    private static String topic;
    private static String group;
    private static String producer;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("lag-bcast", 1);
        group = "g-" + topic;
        producer = "p-" + topic;
        proxy = TestProxy.builder().producer(producer, topic)
            .consumer(group, topic, Map.of("mode", "broadcast", "broadcastStart", "earliest"))
            .set("monitor.intervalSeconds", "1")
            .set("monitor.maxClientIdSeries", "2")
            .start();
        client = proxy.client();
        for (int i = 0; i < MESSAGES; i++) {
            Reply r = client.produce(form("producer", producer, "message", "b" + i));
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        }
        await("this instance collects").atMost(Duration.ofSeconds(60)).until(() ->
            MetricsScrape.of(client).value("mqproxy_monitor_leader") == 1.0);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The clientId takes {@code take} messages and acks them, or leaves them unacked. */
    private static void consume(String clientId, int take, boolean ack) {
        Consumer c = new Consumer(client, topic, group).with("clientId", clientId)
            .with("maxPullSize", Integer.toString(take));
        int got = 0;
        while (got < take) {
            Reply r = c.pollWithoutAck();
            int n = Consumer.bodies(r).size();
            got += n;
            if (n > 0 && ack) {
                assertThat(c.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
                c = c.with("maxPullSize", Integer.toString(Math.max(1, take - got)));
            }
        }
        assertThat(got).isEqualTo(take);
    }

    private static double client(MetricsScrape m, String family, String clientId) {
        return m.value("mqproxy_lag_client_" + family, "group", group, "clientId", clientId);
    }

    @Test
    void eachClientIdHasItsOwnBacklog_andPastTheCapTheSmallestAreSummed() {
        // Two clientIds, within the cap: one took a batch and did not ack it, one consumed half.
        consume("idle-one", 1, false);
        consume("half-way", MESSAGES / 2, true);
        await().atMost(SOON).untilAsserted(() -> {
            MetricsScrape m = MetricsScrape.of(client);
            assertThat(client(m, "backlog_messages", "idle-one")).isEqualTo(12.0);
            assertThat(client(m, "inflight_messages", "idle-one")).isEqualTo(1.0);
            assertThat(client(m, "oldest_age_seconds", "idle-one")).isPositive();
            assertThat(client(m, "backlog_messages", "half-way")).isEqualTo(6.0);
            assertThat(client(m, "inflight_messages", "half-way")).isEqualTo(0.0);
            assertThat(m.value("mqproxy_lag_backlog_messages", "group", group)).isEqualTo(18.0);
        });

        // Three more: past the cap of 2, the two largest backlogs keep series, the rest are one.
        consume("done", MESSAGES, true);
        consume("a-quarter", 3, true);
        consume("a-sixth", 2, true);
        await().atMost(SOON).untilAsserted(() -> {
            MetricsScrape m = MetricsScrape.of(client);
            assertThat(m.all("mqproxy_lag_client_backlog_messages", "group", group))
                .extracting(s -> s.labels().get("clientId"))
                .containsExactlyInAnyOrder("idle-one", "a-sixth", "_other");
            assertThat(client(m, "backlog_messages", "idle-one")).isEqualTo(12.0);
            assertThat(client(m, "backlog_messages", "a-sixth")).isEqualTo(10.0);
            // half-way (6) + a-quarter (9) + done (0)
            assertThat(client(m, "backlog_messages", "_other")).isEqualTo(15.0);
            assertThat(m.value("mqproxy_lag_backlog_messages", "group", group)).isEqualTo(37.0);
            assertThat(m.samples()).noneMatch(s -> "half-way".equals(s.labels().get("clientId")));
            // Per queue, every clientId is summed.
            assertThat(m.value("mqproxy_lag_queue_backlog_messages", "group", group, "queue", "0")).isEqualTo(37.0);
        });
    }
}
