package io.mqproxy.monitor;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Alongside;
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
 * Lag as /metrics shows it, read from the real broker: backlog, in-flight, retry backlog, dead letters
 * and the oldest message's age, for concurrent (plain POP) and queue-held (orderly POP) groups; the
 * counting rule of docs/monitoring.md checked against what the broker does. Parsed from the scrape,
 * names and labels included.
 */
class LagMetricsIT {
    private static final String TOKEN = "operator-token-0123456789";
    /** The first collection waits for the fleet to agree on who collects (10 s), then one a second. */
    private static final Duration FIRST = Duration.ofSeconds(60);
    private static final Duration SOON = Duration.ofSeconds(30);
    private static final Lane CONCURRENT = Lane.create("lag-conc", 2);
    private static final Lane HELD = Lane.create("lag-held", 1);
    private static final Lane DEAD = Lane.create("lag-dead", 1);
    private static final Lane AGE = Lane.create("lag-age", 1);
    private static final Lane AGAIN = Lane.create("lag-again", 1);
    private static TestProxy proxy;
    private static ProxyClient client;

    record Lane(String topic, String producer, String group) {
        static Lane create(String prefix, int queues) {
            String topic = TestBroker.get().newTopic(prefix, queues);
            return new Lane(topic, "p-" + topic, "g-" + topic);
        }

        void produce(int n) {
            for (int i = 0; i < n; i++) {
                Reply r = client.produce(form("producer", producer, "message", "m" + i));
                assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
            }
        }

        Consumer consumer() {
            return new Consumer(client, topic, group);
        }
    }

    @BeforeAll
    static void start() {
        // Every broker read in one call for all its groups (the default from 32 groups); BroadcastLagIT and the
        // alert tests read group by group, so both ways are checked against the broker.
        TestProxy.Builder b = TestProxy.builder().operator("ops", TOKEN).set("monitor.intervalSeconds", "1")
            .set("monitor.brokerWideFrom", "1");
        for (Lane l : List.of(CONCURRENT, HELD, DEAD, AGE, AGAIN)) {
            b.producer(l.producer(), l.topic());
        }
        b.consumer(CONCURRENT.group(), CONCURRENT.topic(), Map.of("pop", true, "minConsumeTimeoutSeconds", 1));
        b.consumer(HELD.group(), HELD.topic(), Map.of("pop", false));
        b.consumer(DEAD.group(), DEAD.topic(), Map.of("pop", true, "consumeTimeoutSeconds", 1,
            "minConsumeTimeoutSeconds", 1, "maxRetries", 0));
        b.consumer(AGE.group(), AGE.topic(), Map.of("pop", true));
        b.consumer(AGAIN.group(), AGAIN.topic(), Map.of("pop", true, "consumeTimeoutSeconds", 60));
        proxy = b.start();
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

    private static double lag(String family, Lane lane) {
        return MetricsScrape.of(client).value("mqproxy_lag_" + family, "group", lane.group());
    }

    @Alongside
    @Test
    void concurrentGroup_backlogCountsInFlightAndRetries_andHalfConsumedIsHalf() {
        CONCURRENT.produce(20);
        await().atMost(SOON).untilAsserted(() -> {
            MetricsScrape m = MetricsScrape.of(client);
            String g = CONCURRENT.group();
            assertThat(m.value("mqproxy_lag_backlog_messages", "group", g)).isEqualTo(20.0);
            assertThat(m.value("mqproxy_lag_inflight_messages", "group", g)).isEqualTo(0.0);
            assertThat(m.value("mqproxy_lag_retry_backlog_messages", "group", g)).isEqualTo(0.0);
            assertThat(m.value("mqproxy_lag_dead_letters_messages", "group", g)).isEqualTo(0.0);
            // Per queue: both queues of the topic, labelled by broker and queue id, summing to the group's.
            List<MetricsScrape.Sample> queues = m.all("mqproxy_lag_queue_backlog_messages", "group", g);
            assertThat(queues).extracting(s -> s.labels().get("queue")).containsExactlyInAnyOrder("0", "1");
            assertThat(queues).allSatisfy(s -> assertThat(s.labels().get("broker")).isEqualTo("broker-test"));
            assertThat(queues.stream().mapToDouble(MetricsScrape.Sample::value).sum()).isEqualTo(20.0);
        });

        // Half handed out and not acked: the broker's offset moved, the backlog did not; in-flight shows them.
        List<String> requestIds = new ArrayList<>();
        int out = 0;
        while (out < 10) {
            Consumer c = CONCURRENT.consumer().with("maxPullSize", Integer.toString(10 - out))
                .with("consumeTimeout", "120");
            Reply r = c.pollWithoutAck();
            int got = Consumer.bodies(r).size();
            if (got > 0) {
                requestIds.add(c.requestId());
                out += got;
            }
        }
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("inflight_messages", CONCURRENT)).isEqualTo(10.0);
            assertThat(lag("backlog_messages", CONCURRENT)).isEqualTo(20.0);
            assertThat(MetricsScrape.of(client).sum("mqproxy_lag_queue_inflight_messages", "group",
                CONCURRENT.group())).isEqualTo(10.0);
        });

        // Acked: half the backlog is left.
        for (String id : requestIds) {
            Consumer c = CONCURRENT.consumer();
            c.requestId(id);
            assertThat(c.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
        }
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("backlog_messages", CONCURRENT)).isEqualTo(10.0);
            assertThat(lag("inflight_messages", CONCURRENT)).isEqualTo(0.0);
        });

        // Handed out and never acked: after consumeTimeout the broker puts them back in the retry topic,
        // where they are still backlog (ROCKETMQ-NOTES: main diff + in-flight + retry-topic diff).
        Consumer late = CONCURRENT.consumer().with("maxPullSize", "4").with("consumeTimeout", "1");
        int lost = Consumer.bodies(late.pollWithoutAck()).size();
        assertThat(lost).isPositive();
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("retry_backlog_messages", CONCURRENT)).isEqualTo((double) lost);
            assertThat(lag("inflight_messages", CONCURRENT)).isEqualTo(0.0);
            assertThat(lag("backlog_messages", CONCURRENT)).isEqualTo(10.0);
        });
    }

    @Alongside
    @Test
    void queueHeldGroup_backlogMovesAtAck_andInFlightShowsTheBatchOut() {
        HELD.produce(10);
        await().atMost(SOON).until(() -> lag("backlog_messages", HELD) == 10.0);
        Consumer c = HELD.consumer().with("maxPullSize", "4");
        int got = Consumer.bodies(c.pollWithoutAck()).size();
        assertThat(got).isEqualTo(4);
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("inflight_messages", HELD)).isEqualTo(4.0);
            assertThat(lag("backlog_messages", HELD)).isEqualTo(10.0);
        });
        assertThat(c.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("backlog_messages", HELD)).isEqualTo(6.0);
            assertThat(lag("inflight_messages", HELD)).isEqualTo(0.0);
        });
    }

    @Alongside
    @Test
    void aMessagePastItsRetries_showsInDeadLetters_andInTheDeadLetterCount() {
        DEAD.produce(1);
        Consumer c = DEAD.consumer();
        await().atMost(SOON).until(() -> Consumer.bodies(c.pollWithoutAck()).size() == 1);
        // Not acked: it comes back after 1 s, past maxRetries 0, and the proxy moves it to %DLQ%<group>.
        await().atMost(SOON).untilAsserted(() -> {
            c.pollWithoutAck();
            MetricsScrape m = MetricsScrape.of(client);
            assertThat(m.value("mqproxy_lag_dead_letters_messages", "group", DEAD.group())).isEqualTo(1.0);
            assertThat(m.value("mqproxy_consume_dead_letters_total", "consumer", DEAD.group())).isEqualTo(1.0);
        });
        await().atMost(SOON).untilAsserted(() -> assertThat(lag("backlog_messages", DEAD)).isEqualTo(0.0));
    }

    @Alongside
    @Test
    void aMessageRedeliveredById_isRetryBacklog_beforeTheGroupEverReadItsRetryTopic() {
        Reply produced = client.produce(form("producer", AGAIN.producer(), "message", "once more"));
        assertThat(produced.status()).as(produced.raw().body()).isEqualTo(200);
        String msgId = produced.result().path("msgId").asText();
        Consumer c = AGAIN.consumer().with("pullTimeout", "1");
        await().atMost(SOON).until(() -> !Consumer.bodies(c.poll()).isEmpty());
        c.poll(); // acks it
        await().atMost(SOON).until(() -> lag("backlog_messages", AGAIN) == 0.0);

        // Nothing was ever put back for this group, so the broker lists no offsets of its retry topic for it.
        Reply again = client.admin("POST", "/admin/groups/" + AGAIN.group() + "/redeliver", TOKEN,
            "{\"messageId\":\"" + msgId + "\"}");
        assertThat(again.httpStatus()).as(again.raw().body()).isEqualTo(200);
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("retry_backlog_messages", AGAIN)).isEqualTo(1.0);
            assertThat(lag("backlog_messages", AGAIN)).isEqualTo(1.0);
        });
        await("delivered from the retry topic").atMost(SOON).until(() -> Consumer.bodies(c.poll()).contains("once more"));
        c.poll();
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(lag("retry_backlog_messages", AGAIN)).isEqualTo(0.0);
            assertThat(lag("backlog_messages", AGAIN)).isEqualTo(0.0);
        });
    }

    @Alongside
    @Test
    void oldestMessageAge_growsWhileNothingIsConsumed() {
        AGE.produce(3);
        await().atMost(SOON).until(() -> lag("oldest_age_seconds", AGE) > 0);
        double first = lag("oldest_age_seconds", AGE);
        // The oldest message's age is read from the broker's store times, so it grows only with real time:
        // later collections report it older.
        await().atMost(SOON).until(() -> lag("oldest_age_seconds", AGE) > first + 1.5);
        assertThat(MetricsScrape.of(client).value("mqproxy_lag_queue_oldest_age_seconds", "group", AGE.group(),
            "queue", "0")).isGreaterThan(first);
    }

    @Alongside
    @Test
    void aGroupRemovedAtRunTime_losesItsSeries() {
        String name = "g-removed-" + System.nanoTime() % 100_000;
        Reply registered = client.admin("POST", "/admin/groups", TOKEN,
            "{\"name\":\"" + name + "\",\"topic\":\"" + AGE.topic() + "\",\"pop\":true}");
        assertThat(registered.httpStatus()).as(registered.raw().body()).isEqualTo(200);
        await().atMost(SOON).until(() -> !MetricsScrape.of(client).all("mqproxy_lag_backlog_messages", "group", name)
            .isEmpty());
        Reply removed = client.admin("DELETE", "/admin/groups/" + name, TOKEN, null);
        assertThat(removed.httpStatus()).as(removed.raw().body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(MetricsScrape.of(client).samples())
            .noneMatch(s -> name.equals(s.labels().get("group"))));
    }

    @Alongside
    @Test
    void theCollectorSaysWhatItDid_andJvmAndProcessMetricsAreThere() {
        await().atMost(SOON).untilAsserted(() -> {
            Reply r = client.admin("GET", "/admin/monitor", TOKEN, null);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.result().path("collecting").asBoolean()).isTrue();
            assertThat(r.result().path("lastCollection").path("brokerCalls").asLong()).isPositive();
            assertThat(r.result().path("lastCollection").path("inflightKnown").asBoolean()).isTrue();
            assertThat(r.result().path("lastCollection").path("failedGroups")).isEmpty();
        });
        MetricsScrape m = MetricsScrape.of(client);
        assertThat(m.value("mqproxy_monitor_broker_calls_total")).isPositive();
        assertThat(m.value("mqproxy_monitor_collection_seconds_count")).isPositive();
        assertThat(m.names()).contains("jvm_memory_used_bytes", "process_cpu_usage", "process_files_open_files",
            "jvm_info", "process_uptime_seconds", "mqproxy_consume_polls_waiting");
    }
}
