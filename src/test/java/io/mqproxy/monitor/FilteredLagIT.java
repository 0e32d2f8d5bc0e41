package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lag under a subscription filter: an idle group's offset stays behind messages its filter will never
 * give it (the broker moves it past them only when a pop reads past them), so its backlog counts only
 * the messages the filter takes, in the lag API and the Prometheus gauges that alerts share.
 */
class FilteredLagIT {
    private static final String TOKEN = "operator-token-0123456789";
    private static final Duration FIRST = Duration.ofSeconds(60);
    private static final Duration SOON = Duration.ofSeconds(30);
    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("lag-filter", 2);
        proxy = TestProxy.builder().operator("ops", TOKEN).set("monitor.intervalSeconds", "1")
            .producer("lag-filter-p", topic)
            .consumer("lag-filter-a", topic, Map.of("pop", true, "filter", Map.of("type", "TAG", "expression", "a")))
            .consumer("lag-filter-all", topic, Map.of("pop", true))
            .start();
        client = proxy.client();
        await("this instance collects").atMost(FIRST).until(() ->
            MetricsScrape.of(client).value("mqproxy_monitor_leader") == 1.0);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static double backlog(String group) {
        return MetricsScrape.of(client).value("mqproxy_lag_backlog_messages", "group", group);
    }

    private static JsonNode latest(String group) {
        Reply r = client.admin("GET", "/admin/groups/" + group + "/lag?minutes=1", TOKEN, null);
        assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
        return r.result().path("latest");
    }

    @Test
    void anIdleFilteredGroup_countsOnlyWhatItsFilterTakes_andNothingOnceItConsumedThem() {
        for (int i = 0; i < 10; i++) {
            Reply r = client.produce(form("producer", "lag-filter-p", "message", "m" + i, "tags",
                i % 3 == 0 && i < 9 ? "a" : "b"));
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        }
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(backlog("lag-filter-all")).isEqualTo(10.0);
            assertThat(backlog("lag-filter-a")).isEqualTo(3.0);
            assertThat(MetricsScrape.of(client).sum("mqproxy_lag_queue_backlog_messages", "group", "lag-filter-a"))
                .isEqualTo(3.0);
            JsonNode lag = latest("lag-filter-a");
            assertThat(lag.path("backlog").asLong()).as(lag.toString()).isEqualTo(3);
            assertThat(lag.path("backlogEstimated").asBoolean()).isFalse();
            long perQueue = 0;
            for (JsonNode q : lag.path("queues")) {
                perQueue += q.path("backlog").asLong();
                assertThat(q.path("backlogEstimated").asBoolean()).isFalse();
            }
            assertThat(perQueue).isEqualTo(3);
        });

        List<String> got = new ArrayList<>();
        Consumer c = new Consumer(client, topic, "lag-filter-a").with("pullTimeout", "1");
        await().atMost(SOON).until(() -> {
            got.addAll(Consumer.bodies(c.poll()));
            return got.size() >= 3;
        });
        assertThat(got).containsExactlyInAnyOrder("m0", "m3", "m6");
        c.call("/mq/ack");
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(backlog("lag-filter-a")).isEqualTo(0.0);
            assertThat(latest("lag-filter-a").path("backlog").asLong()).isZero();
            assertThat(latest("lag-filter-a").path("oldestAgeSeconds").asDouble()).isZero();
            assertThat(backlog("lag-filter-all")).isEqualTo(10.0);
        });
    }
}
