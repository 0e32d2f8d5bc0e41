package io.mqproxy.consume;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BroadcastIT {
    private static final Map<String, Object> BROADCAST = Map.of("mode", "broadcast", "pop", true,
        "minConsumeTimeoutSeconds", 1);

    private static List<String> produce(TestProxy proxy, String producer, String prefix, int n) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = prefix + i;
            var reply = proxy.client().produce(form("producer", producer, "message", body));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            bodies.add(body);
        }
        return bodies;
    }

    /** Polls (acking as it goes) until {@code expected} messages came or polls run dry. */
    private static List<String> drain(Consumer c, int expected) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 40 && got.size() < expected; i++) {
            var reply = c.poll();
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            got.addAll(Consumer.bodies(reply));
        }
        return got;
    }

    @Alongside
    @Test
    void everyClientId_receivesEveryMessage_once() {
        String topic = TestBroker.get().newTopic("bc-all", 4);
        try (TestProxy proxy = TestProxy.builder().producer("bc-p", topic).consumer("bc-g", topic, BROADCAST)
            .consumer("bc-late", topic, Map.of("mode", "broadcast", "broadcastStart", "latest")).start()) {
            List<String> sent = produce(proxy, "bc-p", "m", 20);
            for (String clientId : List.of("10.0.0.1", "host-b:8080", "c3")) {
                Consumer c = new Consumer(proxy.client(), topic, "bc-g").with("clientId", clientId)
                    .with("maxPullSize", "7");
                List<String> got = drain(c, sent.size());
                assertThat(got).as(clientId).containsExactlyInAnyOrderElementsOf(sent);
                assertThat(Consumer.bodies(c.poll())).as(clientId + " acked everything").isEmpty();
            }
            // A late client of an 'earliest' group still gets everything; of a 'latest' group only what follows.
            Consumer lateEarliest = new Consumer(proxy.client(), topic, "bc-g").with("clientId", "late");
            assertThat(drain(lateEarliest, sent.size())).containsExactlyInAnyOrderElementsOf(sent);
            Consumer lateLatest = new Consumer(proxy.client(), topic, "bc-late").with("clientId", "late");
            assertThat(Consumer.bodies(lateLatest.poll())).isEmpty();
            List<String> after = produce(proxy, "bc-p", "after", 3);
            assertThat(drain(lateLatest, 3)).containsExactlyInAnyOrderElementsOf(after);
        }
    }

    @Alongside
    @Test
    void clientThatNeverAcks_getsItsBatchAgain_othersUnaffected() {
        String topic = TestBroker.get().newTopic("bc-redo", 2);
        try (TestProxy proxy = TestProxy.builder().producer("bc-p2", topic).consumer("bc-g2", topic, BROADCAST)
            .start()) {
            List<String> sent = produce(proxy, "bc-p2", "r", 5);
            Consumer lazy = new Consumer(proxy.client(), topic, "bc-g2").with("clientId", "lazy")
                .with("consumeTimeout", "2");
            Consumer busy = new Consumer(proxy.client(), topic, "bc-g2").with("clientId", "busy");
            List<String> first = drain(lazy, sent.size());
            assertThat(first).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(drain(busy, sent.size())).containsExactlyInAnyOrderElementsOf(sent);

            // lazy never acks: its messages come back in retryMsgList; busy acked and sees nothing more.
            List<String> again = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                var reply = lazy.pollWithoutAck();
                for (var m : reply.result().path("retryMsgList")) {
                    assertThat(m.path("deliveryCount").asInt()).isGreaterThanOrEqualTo(2);
                    again.add(m.path("message").asText());
                }
                return again.containsAll(sent);
            });
            assertThat(Consumer.bodies(busy.poll())).isEmpty();
        }
    }

    @Alongside
    @Test
    void fetchThroughOneInstance_ackThroughAnother_evenAfterRestart() {
        String topic = TestBroker.get().newTopic("bc-two", 2);
        TestProxy.Builder builder = TestProxy.builder().producer("bc-p3", topic).consumer("bc-g3", topic, BROADCAST);
        try (TestProxy a = builder.start()) {
            List<String> sent = produce(a, "bc-p3", "s", 4);
            Consumer c = new Consumer(a.client(), topic, "bc-g3").with("clientId", "moving")
                .with("consumeTimeout", "3");
            List<String> got = drain(c, sent.size());
            assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
            String requestId = c.requestId();
            a.close();
            try (TestProxy b = builder.start()) {
                // The original's client acks a broadcast batch without clientId: the requestId names it.
                ProxyClient.Reply ack = b.client().get(b.client().consumePort(),
                    "/mq/ack?topic=" + topic + "&consumer=bc-g3&requestId=" + requestId);
                assertThat(ack.status()).as(ack.body().toString()).isEqualTo(200);
                Consumer after = new Consumer(b.client(), topic, "bc-g3").with("clientId", "moving");
                // Past the consume timeout nothing comes back: the ack through the other instance held.
                await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20))
                    .until(() -> Consumer.bodies(after.poll()).isEmpty());
            }
        }
    }

    @Alongside
    @Test
    void clientIdsThatDifferOnlyInIllegalCharacters_doNotShareProgress() {
        String topic = TestBroker.get().newTopic("bc-names", 2);
        try (TestProxy proxy = TestProxy.builder().producer("bc-p4", topic).consumer("bc-g4", topic, BROADCAST)
            .start()) {
            List<String> sent = produce(proxy, "bc-p4", "n", 3);
            for (String clientId : List.of("a b", "a_b", "a:b", "a/b", "a%b", "ä-b", "a|b")) {
                Consumer c = new Consumer(proxy.client(), topic, "bc-g4").with("clientId", clientId);
                assertThat(drain(c, sent.size())).as(clientId).containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }

    @Alongside
    @Test
    void broadcastWithoutClientId_orPastTheLimit_isRefusedNamingClientId() {
        String topic = TestBroker.get().newTopic("bc-bad", 1);
        try (TestProxy proxy = TestProxy.builder().producer("bc-p5", topic)
            .consumer("bc-g5", topic, Map.of("mode", "broadcast", "maxClientIds", 2)).start()) {
            var missing = new Consumer(proxy.client(), topic, "bc-g5").poll();
            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.message()).startsWith("clientId:");
            assertThat(new Consumer(proxy.client(), topic, "bc-g5").with("clientId", "one").poll().status())
                .isEqualTo(200);
            assertThat(new Consumer(proxy.client(), topic, "bc-g5").with("clientId", "two").poll().status())
                .isEqualTo(200);
            var third = new Consumer(proxy.client(), topic, "bc-g5").with("clientId", "three").poll();
            assertThat(third.status()).isEqualTo(400);
            assertThat(third.message()).startsWith("clientId:").contains("limit");
            // Known clients go on.
            assertThat(new Consumer(proxy.client(), topic, "bc-g5").with("clientId", "one").poll().status())
                .isEqualTo(200);
        }
    }

    @Alongside
    @Test
    void idleClientId_isForgotten_activeOneIsNot() throws Exception {
        String topic = TestBroker.get().newTopic("bc-ttl", 1);
        try (TestProxy proxy = TestProxy.builder().producer("bc-p6", topic)
            .consumer("bc-g6", topic, Map.of("mode", "broadcast", "pop", true, "minConsumeTimeoutSeconds", 1,
                "consumeTimeoutSeconds", 2, "clientTtlSeconds", 6)).start()) {
            produce(proxy, "bc-p6", "t", 2);
            Consumer idle = new Consumer(proxy.client(), topic, "bc-g6").with("clientId", "idle");
            Consumer active = new Consumer(proxy.client(), topic, "bc-g6").with("clientId", "active");
            assertThat(drain(idle, 2)).hasSize(2);
            idle.poll();
            assertThat(drain(active, 2)).hasSize(2);
            var admin = TestBroker.get().admin();
            String ns = "MQPROXY_BROADCAST_bc-g6";
            assertThat(admin.getKVListByNamespace(ns).getTable()).hasSize(2);
            // The active client keeps polling while the idle one is swept (its TTL 6 s, a sweep every 3 s).
            await("idle clientId forgotten").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(active.poll().status()).isEqualTo(200);
                    return admin.getKVListByNamespace(ns).getTable().values().stream()
                        .noneMatch(v -> v.contains("\"idle\""));
                });
            assertThat(admin.getKVListByNamespace(ns).getTable().values()).anyMatch(v -> v.contains("\"active\""));
            // Forgotten means its progress is gone too: coming back it starts over from the earliest message.
            assertThat(drain(idle, 2)).hasSize(2);
        }
    }
}
