package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
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
 * The control plane's door: the admin port only, an operator's token for every call; and its first
 * action, letting go of queues that a queue-held group's client holds and never gives back.
 */
class ControlDoorIT {
    private static final String TOKEN = "alice-token-0123456789abcdef";
    private static String heldTopic;
    private static String concurrentTopic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        heldTopic = TestBroker.get().newTopic("control-held", 1);
        concurrentTopic = TestBroker.get().newTopic("control-pop", 1);
        proxy = TestProxy.builder()
            .producer("control-held-producer", heldTopic)
            .consumer("control-held", heldTopic, Map.of("pop", false, "consumeTimeoutSeconds", 600))
            .consumer("control-pop", concurrentTopic, Map.of("pop", true))
            .operator("alice", TOKEN)
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void withoutAValidToken_everyControlCallIs401() {
        for (String token : new String[] {null, "wrong-token-0123456789", TOKEN + "x", ""}) {
            Reply reply = client.admin("GET", "/admin/groups", token, null);
            assertThat(reply.httpStatus()).as("token %s", token).isEqualTo(401);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer"));
            assertThat(reply.raw().body()).doesNotContain(TOKEN);
        }
        Reply refused = client.admin("POST", "/admin/groups/control-held/release-held-queues", "nope-0123456789abc", "{}");
        assertThat(refused.httpStatus()).isEqualTo(401);
    }

    @Test
    void withTheToken_theCallIsServed_andCarriesARequestId() {
        Reply reply = client.admin("GET", "/admin/groups", TOKEN, null);
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        reply.result().forEach(g -> names.add(g.path("name").asText()));
        assertThat(names).contains("control-held", "control-pop");
        assertThat(reply.raw().headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void controlRoutes_doNotAnswerOnTheDataPorts() {
        for (int port : new int[] {client.producePort(), client.consumePort()}) {
            Reply reply = client.send(java.net.http.HttpRequest.newBuilder(client.uri(port, "/admin/groups"))
                .header("Authorization", "Bearer " + TOKEN).GET());
            assertThat(reply.status()).as("port %d: %s", port, reply.raw().body()).isEqualTo(404);
        }
    }

    @Test
    void aProxyWithoutOperators_refusesControlCalls_sayingHowToAddOne() {
        try (TestProxy bare = TestProxy.builder().start()) {
            Reply reply = bare.client().admin("GET", "/admin/groups", TOKEN, null);
            assertThat(reply.httpStatus()).isEqualTo(401);
            assertThat(reply.message()).contains("admin.operators");
        }
    }

    @Test
    void aQueueHeldByAClientThatNeverComesBack_isLetGoByTheOperator() {
        for (String body : new String[] {"held-1", "held-2"}) {
            Reply produced = client.produce(ProxyClient.form("producer", "control-held-producer", "message", body));
            assertThat(produced.status()).isEqualTo(200);
        }
        Consumer gone = new Consumer(client, heldTopic, "control-held").with("maxPullSize", "1").with("pullTimeout", "5");
        Reply taken = await().atMost(Duration.ofSeconds(30)).until(gone::pollWithoutAck,
            r -> r.result().path("msgListSize").asInt() > 0);
        assertThat(taken.result().path("msgList").get(0).path("message").asText()).isEqualTo("held-1");

        // The only queue is held for 600 s: nobody else gets anything meanwhile.
        Consumer waiting = new Consumer(client, heldTopic, "control-held").with("pullTimeout", "1");
        assertThat(waiting.pollWithoutAck().result().path("status").asText()).isEqualTo("NO_NEW_MSG");

        Reply released = client.admin("POST", "/admin/groups/control-held/release-held-queues", TOKEN, "{}");
        assertThat(released.httpStatus()).as(released.raw().body()).isEqualTo(200);
        JsonNode queues = released.result().path("released");
        assertThat(queues).hasSize(1);
        assertThat(queues.get(0).path("queueId").asInt()).isZero();
        assertThat(queues.get(0).path("offset").asLong()).isZero();

        List<String> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            got.addAll(Consumer.bodies(waiting.poll()));
            return got.contains("held-1") && got.contains("held-2");
        });
    }

    @Test
    void releasingQueues_ofAConcurrentOrUnknownGroup_isAClearError() {
        Reply concurrent = client.admin("POST", "/admin/groups/control-pop/release-held-queues", TOKEN, "{}");
        assertThat(concurrent.httpStatus()).isEqualTo(400);
        assertThat(concurrent.message()).startsWith("group:");
        Reply unknown = client.admin("POST", "/admin/groups/nobody/release-held-queues", TOKEN, "{}");
        assertThat(unknown.httpStatus()).isEqualTo(404);
        assertThat(unknown.message()).contains("nobody");
        Reply badQueue = client.admin("POST", "/admin/groups/control-held/release-held-queues", TOKEN,
            "{\"queueId\":\"first\"}");
        assertThat(badQueue.httpStatus()).isEqualTo(400);
        assertThat(badQueue.message()).startsWith("queueId:");
    }
}
