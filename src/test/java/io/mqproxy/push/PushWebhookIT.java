package io.mqproxy.push;

import static io.mqproxy.push.PushLane.push;
import static io.mqproxy.push.PushLane.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.TestProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook subscriptions against a real HTTP receiver in the test: at-least-once with the same broker-held
 * state as polling (2xx acks, anything else comes again with a higher delivery count, past the retries
 * the dead-letter queue), signed bodies, pause and resume, and a hanging endpoint that slows nobody else.
 */
class PushWebhookIT {
    private static final String TOKEN = "push-operator-token-0123456789";
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** How long an absence (no second copy, nothing pushed while paused) is watched: a push takes milliseconds. */
    private static final Duration ABSENCE = Duration.ofSeconds(3);

    private static final PushReceiver ok = new PushReceiver();
    private static final PushReceiver failOnce = new PushReceiver().answering(n -> n == 0 ? 500 : 200);
    private static final PushReceiver neverOk = new PushReceiver().answering(n -> 503);
    private static final PushReceiver hanging = new PushReceiver().hang();
    private static final PushReceiver other = new PushReceiver();
    private static final PushReceiver paused = new PushReceiver();
    private static final PushReceiver batched = new PushReceiver();
    private static PushLane okLane;
    private static PushLane failOnceLane;
    private static PushLane dlqLane;
    private static PushLane hangLane;
    private static PushLane otherLane;
    private static PushLane pollLane;
    private static PushLane pauseLane;
    private static PushLane batchLane;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN);
        okLane = PushLane.create("push-ok", 4);
        okLane.register(builder, settings("pop", true, "push", push(ok.url("/hook"))));
        failOnceLane = PushLane.create("push-fail-once", 1);
        failOnceLane.register(builder, settings("pop", true, "push", push(failOnce.url("/hook"))));
        dlqLane = PushLane.create("push-dlq", 1);
        dlqLane.register(builder, settings("pop", true, "maxRetries", 1, "push", push(neverOk.url("/hook"))));
        hangLane = PushLane.create("push-hang", 2);
        hangLane.register(builder, settings("pop", true, "push", push(hanging.url("/hook"), "maxInFlight", 2,
            "timeoutMillis", 60_000)));
        otherLane = PushLane.create("push-other", 2);
        otherLane.register(builder, settings("pop", true, "push", push(other.url("/hook"))));
        pollLane = PushLane.create("push-poll", 2);
        pollLane.register(builder, settings("pop", true));
        pauseLane = PushLane.create("push-pause", 2);
        pauseLane.register(builder, settings("push", push(paused.url("/hook"))));
        batchLane = PushLane.create("push-batch", 1);
        batchLane.register(builder, settings("pop", false, "push", push(batched.url("/hook"), "batchSize", 5)));
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        for (PushReceiver r : List.of(ok, failOnce, neverOk, hanging, other, paused, batched)) {
            r.close();
        }
    }

    @Alongside
    @Test
    void receiverAnswering200_getsEveryMessageOnce() {
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            sent.add(okLane.produce(client, "m" + i));
        }
        await().atMost(BOUND).until(() -> new HashSet<>(ok.messageIds()).containsAll(sent));
        // No second copy comes (an absence is watched for a while).
        await("no second copy").during(ABSENCE).atMost(BOUND).until(() ->
            ok.messageIds().stream().filter(sent::contains).count() == sent.size());
        List<String> mine = ok.messageIds().stream().filter(sent::contains).toList();
        assertThat(mine).hasSize(30).doesNotHaveDuplicates();
        PushReceiver.Received first = ok.received().stream().filter(r -> sent.contains(r.messageIds().get(0)))
            .findFirst().orElseThrow();
        assertThat(first.header("Content-Type")).startsWith("application/json");
        assertThat(first.header("X-MQProxy-Consumer")).isEqualTo(okLane.group());
        assertThat(first.header("X-MQProxy-Message-Id")).isEqualTo(first.messageIds().get(0));
        assertThat(first.header("X-MQProxy-Delivery-Count")).isEqualTo("1");
        JsonNode body = first.json();
        assertThat(body.path("consumer").asText()).isEqualTo(okLane.group());
        assertThat(body.path("topic").asText()).isEqualTo(okLane.topic());
        JsonNode m = body.path("messages").get(0);
        assertThat(m.path("message").asText()).startsWith("m");
        assertThat(m.path("deliveryCount").asInt()).isEqualTo(1);
        assertThat(m.path("timestamp").asLong()).isPositive();
        // Every request was acked: the metrics say so, by outcome.
        assertThat(proxy.app().metrics().scrape()).contains("mqproxy_push_requests_seconds_count{consumer=\""
            + okLane.group() + "\",outcome=\"ok\"}");
    }

    @Alongside
    @Test
    void answer500ThenOk_getsTheMessageAgainWithAHigherDeliveryCount() {
        String id = failOnceLane.produce(client, "retry me");
        await().atMost(BOUND).until(() -> failOnce.received().size() >= 2);
        List<PushReceiver.Received> got = failOnce.received();
        assertThat(got.get(0).messageIds()).containsExactly(id);
        assertThat(got.get(1).messageIds()).containsExactly(id);
        assertThat(got.get(0).json().path("messages").get(0).path("deliveryCount").asInt()).isEqualTo(1);
        assertThat(got.get(1).json().path("messages").get(0).path("deliveryCount").asInt()).isEqualTo(2);
        assertThat(got.get(1).header("X-MQProxy-Delivery-Count")).isEqualTo("2");
        assertThat(got.get(1).atMillis() - got.get(0).atMillis()).as("back-off of at least minBackoffMillis")
            .isGreaterThanOrEqualTo(900);
        assertThat(proxy.app().metrics().scrape()).contains("mqproxy_push_endpoint_errors_total{consumer=\""
            + failOnceLane.group() + "\",kind=\"http_5xx\"}");
    }

    @Alongside
    @Test
    void receiverNeverAnswering2xx_drivesTheMessageToTheDeadLetterQueue() {
        String id = dlqLane.produce(client, "doomed");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            ProxyClient.Reply dlq = client.admin("GET", "/admin/groups/" + dlqLane.group() + "/dlq", TOKEN, null);
            return dlq.status() == 200 && dlq.result().toString().contains(id);
        });
        // maxRetries 1: the first delivery and one retry, then no more pushes.
        assertThat(neverOk.messageIds()).containsExactly(id, id);
    }

    @Alongside
    @Test
    void hangingReceiver_slowsNeitherProduceNorPollingNorAnotherGroupsPushes() {
        for (int i = 0; i < 6; i++) {
            hangLane.produce(client, "stuck " + i);
        }
        await().atMost(BOUND).until(() -> hanging.received().size() >= 2);
        long started = System.nanoTime();
        String pushed = otherLane.produce(client, "flows");
        String polled = pollLane.produce(client, "polled");
        await().atMost(BOUND).until(() -> other.messageIds().contains(pushed));
        ProxyClient.Reply poll = await().atMost(BOUND).until(() -> client.get(client.consumePort(),
            "/mq/message?topic=" + pollLane.topic() + "&consumer=" + pollLane.group() + "&requestId=&pop=true"),
            r -> r.result().path("msgListSize").asInt() > 0);
        assertThat(poll.result().path("msgList").get(0).path("messageId").asText()).isEqualTo(polled);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("another group and the data plane, unhindered")
            .isLessThan(Duration.ofSeconds(20));
        // The hanging endpoint holds its group's two slots and no more.
        assertThat(hanging.received()).hasSize(2);
    }

    @Alongside
    @Test
    void signature_verifiesWithTheSecret_andATamperedBodyDoesNot() {
        okLane.produce(client, "signed");
        await().atMost(BOUND).until(() -> !ok.received().isEmpty());
        PushReceiver.Received r = ok.received().get(0);
        String header = r.header(PushSignature.HEADER);
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        long now = System.currentTimeMillis() / 1000;
        assertThat(PushSignature.verify(PushLane.SECRET, header, r.body(), now, 300)).isTrue();
        byte[] tampered = r.body().clone();
        tampered[tampered.length / 2] ^= 1;
        assertThat(PushSignature.verify(PushLane.SECRET, header, tampered, now, 300)).isFalse();
        assertThat(PushSignature.verify("another-secret-0123456789", header, r.body(), now, 300)).isFalse();
        assertThat(PushSignature.verify(PushLane.SECRET, header, r.body(), now + 3_600, 300))
            .as("a replay an hour later").isFalse();
        String otherTime = header.replaceFirst("t=\\d+", "t=" + (now + 1));
        assertThat(PushSignature.verify(PushLane.SECRET, otherTime, r.body(), now, 300))
            .as("the time is signed too").isFalse();
    }

    @Alongside
    @Test
    void queueHeldBatches_comeInOrder_upToBatchSizeARequest() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            bodies.add("b" + i);
            batchLane.produce(client, "b" + i);
        }
        await().atMost(BOUND).until(() -> batched.messageIds().size() >= 12);
        List<String> got = new ArrayList<>();
        for (PushReceiver.Received r : batched.received()) {
            assertThat(r.messageIds().size()).isBetween(1, 5);
            r.json().path("messages").forEach(m -> got.add(m.path("message").asText()));
        }
        assertThat(got).containsExactlyElementsOf(bodies);
    }

    @Alongside
    @Test
    void pause_stopsPushing_andResume_startsAgain() {
        pauseLane.produce(client, "before");
        await().atMost(BOUND).until(() -> paused.received().size() == 1);
        ProxyClient.Reply pause = client.admin("POST", "/admin/groups/" + pauseLane.group() + "/pause", TOKEN, null);
        assertThat(pause.status()).isEqualTo(200);
        // Paused here: its pusher is stopped, and a pop still waiting at the broker gives back what it gets.
        await().atMost(BOUND).until(() -> client.admin("GET", "/admin/groups/" + pauseLane.group(), TOKEN, null)
            .result().path("group").path("paused").asBoolean());
        String during = pauseLane.produce(client, "during");
        // Nothing is pushed while paused (an absence is watched for a while).
        await("nothing pushed while paused").during(ABSENCE).atMost(BOUND)
            .until(() -> !paused.messageIds().contains(during));
        client.admin("POST", "/admin/groups/" + pauseLane.group() + "/resume", TOKEN, null);
        await().atMost(BOUND).until(() -> paused.messageIds().contains(during));
        assertThat(paused.messageIds()).hasSize(2);
    }

    @Alongside
    @Test
    void bodyIsText_orBase64_asOnMqMessage() {
        String id = okLane.produce(client, "{\"json\":\"ü\"}");
        await().atMost(BOUND).until(() -> ok.messageIds().contains(id));
        JsonNode m = ok.received().stream().filter(r -> r.messageIds().contains(id)).findFirst().orElseThrow()
            .json().path("messages").get(0);
        assertThat(m.path("message").asText()).isEqualTo("{\"json\":\"ü\"}");
        assertThat(m.has("encoding")).isFalse();
        assertThat(new String(ok.received().get(0).body(), StandardCharsets.UTF_8)).doesNotContain(PushLane.SECRET);
    }
}
