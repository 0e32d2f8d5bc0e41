package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two operators change one group at the same moment, one pausing it, the other setting its rate limit:
 * through two instances, or through one (two threads of its control pool). Each change is a
 * compare-and-set on the group's entry, so neither is lost: both hold, on both instances.
 */
class ConcurrentGroupChangeIT {
    private static final String TOKEN = "operator-token-0123456789";
    private static final Duration SPREAD = Duration.ofSeconds(10);
    private static final int ROUNDS = 5;
    private static String acrossInstances;
    private static String throughOneInstance;
    private static TestProxy a;
    private static TestProxy b;
    private static final ExecutorService operators = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void start() {
        String topic = TestBroker.get().newTopic("cas", 1);
        acrossInstances = "cas-two-" + Math.abs(topic.hashCode() % 10_000);
        throughOneInstance = "cas-one-" + Math.abs(topic.hashCode() % 10_000);
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN)
            .consumer(acrossInstances, topic, Map.of("pop", true))
            .consumer(throughOneInstance, topic, Map.of("pop", true));
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
    void pauseAndRateLimit_setAtOnceThroughTwoInstances_bothHoldOnBoth() {
        changeAtOnce(a, b, acrossInstances);
    }

    @Test
    void pauseAndRateLimit_setAtOnceThroughOneInstance_bothHoldOnBoth() {
        changeAtOnce(a, a, throughOneInstance);
    }

    /** Each round, {@code pauser} pauses or resumes while {@code limiter} sets a new rate limit, both at once. */
    private static void changeAtOnce(TestProxy pauser, TestProxy limiter, String group) {
        for (int round = 0; round < ROUNDS; round++) {
            boolean paused = round % 2 == 0;
            int rateLimit = 100 + round;
            CyclicBarrier startLine = new CyclicBarrier(2);
            CompletableFuture<Reply> pause = CompletableFuture.supplyAsync(() -> {
                awaitOthers(startLine);
                return admin(pauser, "POST", "/admin/groups/" + group + (paused ? "/pause" : "/resume"), null);
            }, operators);
            CompletableFuture<Reply> limit = CompletableFuture.supplyAsync(() -> {
                awaitOthers(startLine);
                return admin(limiter, "PATCH", "/admin/groups/" + group, "{\"rateLimit\":" + rateLimit + "}");
            }, operators);
            ok(pause.join());
            ok(limit.join());
            for (TestProxy proxy : new TestProxy[] {a, b}) {
                int r = round;
                await().atMost(SPREAD).untilAsserted(() -> {
                    JsonNode g = ok(admin(proxy, "GET", "/admin/groups/" + group, null)).result().path("group");
                    assertThat(g.path("paused").asBoolean()).as("paused after round %d", r).isEqualTo(paused);
                    assertThat(g.path("rateLimit").asInt()).as("rateLimit after round %d", r).isEqualTo(rateLimit);
                });
            }
        }
    }

    private static void awaitOthers(CyclicBarrier startLine) {
        try {
            startLine.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Reply admin(TestProxy proxy, String method, String path, String json) {
        return proxy.client().admin(method, path, TOKEN, json);
    }

    private static Reply ok(Reply reply) {
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        return reply;
    }
}
