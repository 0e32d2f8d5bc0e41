package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry's other kinds of entries (credentials, alert rules) changed from two instances at the same
 * moment: each change is a compare-and-set on the entry's revision, as a group's is
 * ({@link ConcurrentGroupChangeIT}), so no change is silently dropped. Two operators issuing one credential
 * id at once: one is issued, the other refused (before, both were answered a secret and one of the two
 * secrets never worked). Two operators setting one group's alert rules at once: both answered, every
 * instance ends with the same rules, those of one of the two (a PUT replaces the group's entry whole).
 */
class ConcurrentSectionChangeIT {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";
    private static final Duration SPREAD = Duration.ofSeconds(10);
    private static final int ROUNDS = 5;
    /** The source the rules view names for a group's own run-time thresholds. */
    private static final String GROUP_RUNTIME = "group runtime";
    private static String producer;
    private static String group;
    private static TestProxy a;
    private static TestProxy b;
    private static final ExecutorService operators = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void start() {
        String topic = TestBroker.get().newTopic("cas-sec", 1);
        producer = "cas-sec-p-" + Math.abs(topic.hashCode() % 10_000);
        group = "cas-sec-g-" + Math.abs(topic.hashCode() % 10_000);
        TestProxy.Builder builder = TestProxy.builder().operator("alice", ALICE).operator("bob", BOB)
            .producer(producer, topic)
            .consumer(group, topic, Map.of("pop", true));
        a = builder.start();
        b = builder.start();
    }

    @AfterAll
    static void stop() {
        operators.shutdownNow();
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void oneCredentialId_issuedAtOnceThroughTwoInstances_isIssuedOnce_theOtherRefused() {
        String body = "{\"id\":\"%s\",\"producers\":[\"" + producer + "\"]}";
        for (int round = 0; round < ROUNDS; round++) {
            String id = "cas-" + round + "-" + Long.toHexString(System.nanoTime());
            List<Reply> replies = atOnce(
                () -> a.client().admin("POST", "/admin/credentials", ALICE, body.formatted(id)),
                () -> b.client().admin("POST", "/admin/credentials", BOB, body.formatted(id)));
            List<Reply> issued = replies.stream().filter(r -> r.httpStatus() == 200).toList();
            assertThat(issued).as("issued in round %d: %s", round, bodies(replies)).hasSize(1);
            Reply refused = replies.stream().filter(r -> r.httpStatus() != 200).findFirst().orElseThrow();
            assertThat(refused.httpStatus()).as(refused.raw().body()).isEqualTo(400);
            assertThat(refused.raw().body()).contains("exists already");
            String winner = issued.get(0) == replies.get(0) ? "alice" : "bob";
            for (TestProxy proxy : new TestProxy[] {a, b}) {
                await().atMost(SPREAD).untilAsserted(() -> {
                    JsonNode kept = credential(proxy, id);
                    assertThat(kept).as("credential %s on every instance", id).isNotNull();
                    assertThat(kept.path("createdBy").asText()).isEqualTo(winner);
                });
            }
        }
    }

    @Test
    void oneGroupsAlertRules_setAtOnceThroughTwoInstances_bothAnswered_allInstancesAgree() {
        for (int round = 0; round < ROUNDS; round++) {
            long backlog = 1_000 + round;
            long stuck = 600 + round;
            String path = "/admin/alerts/groups/" + group;
            List<Reply> replies = atOnce(
                () -> a.client().admin("PUT", path, ALICE, "{\"backlog\":" + backlog + "}"),
                () -> b.client().admin("PUT", path, BOB, "{\"stuckSeconds\":" + stuck + "}"));
            assertThat(replies).as(bodies(replies)).allMatch(r -> r.httpStatus() == 200);
            int r = round;
            await().atMost(SPREAD).untilAsserted(() -> {
                JsonNode onA = rules(a, path);
                JsonNode onB = rules(b, path);
                assertThat(onA).as("the same rules on both instances after round %d", r).isEqualTo(onB);
                JsonNode set = onA.path("sources");
                boolean alices = onA.path("rules").path("backlog").asLong() == backlog
                    && set.path("backlog").asText().equals(GROUP_RUNTIME)
                    && !set.path("stuckSeconds").asText().equals(GROUP_RUNTIME);
                boolean bobs = onA.path("rules").path("stuckSeconds").asLong() == stuck
                    && set.path("stuckSeconds").asText().equals(GROUP_RUNTIME)
                    && !set.path("backlog").asText().equals(GROUP_RUNTIME);
                assertThat(alices || bobs).as("one of the two PUTs whole, not a mix: %s", onA).isTrue();
            });
        }
    }

    private interface Call {
        Reply call();
    }

    /** Both calls, let go at the same moment from two threads. */
    private static List<Reply> atOnce(Call first, Call second) {
        CyclicBarrier startLine = new CyclicBarrier(2);
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (Call call : List.of(first, second)) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    startLine.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return call.call();
            }, operators));
        }
        return calls.stream().map(CompletableFuture::join).toList();
    }

    private static String bodies(List<Reply> replies) {
        return replies.stream().map(r -> r.httpStatus() + " " + r.raw().body()).toList().toString();
    }

    private static JsonNode credential(TestProxy proxy, String id) {
        for (JsonNode c : proxy.client().admin("GET", "/admin/credentials", ALICE, null).result()) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        return null;
    }

    /** The group's alert rules and where each comes from, as the instance applies them. */
    private static JsonNode rules(TestProxy proxy, String path) {
        Reply reply = proxy.client().admin("GET", path, ALICE, null);
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        return reply.result();
    }
}
