package io.mqproxy.push;

import static io.mqproxy.push.PushLane.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-sent events on the consume port: each message an event whose id acks it, in order per queue in
 * queue-held groups, redelivered unless acked (ack=client), acked once written (ack=auto), at most
 * maxUnacked outstanding, given back when the connection drops, resumed by a reconnecting client.
 */
class StreamIT {
    private static final String TOKEN = "stream-operator-token-0123456";
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Map<String, PushLane> LANES = new LinkedHashMap<>();
    private static TestProxy proxy;
    private static ProxyClient client;

    private static PushLane lane(String name) {
        return LANES.get(name);
    }

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN).set("stream.heartbeatSeconds", "1");
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        groups.put("ordered", settings("pop", false));
        groups.put("client", settings("pop", true, "minConsumeTimeoutSeconds", 1));
        groups.put("auto", settings("pop", true, "minConsumeTimeoutSeconds", 1));
        groups.put("bound", settings("pop", true));
        groups.put("drop", settings("pop", true));
        groups.put("resume", settings("pop", false));
        groups.put("paused", settings("pop", true));
        groups.put("cors", settings("pop", true));
        groups.forEach((name, s) -> {
            PushLane lane = PushLane.create("stream-" + name, name.equals("ordered") ? 2 : 4);
            lane.register(builder, s);
            LANES.put(name, lane);
        });
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static SseClient stream(PushLane lane, String extra) {
        return stream(lane, extra, Map.of());
    }

    private static SseClient stream(PushLane lane, String extra, Map<String, String> headers) {
        SseClient s = SseClient.open(client.consumePort(), "/mq/stream?topic=" + lane.topic() + "&consumer="
            + lane.group() + extra, headers);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.header("Content-Type")).as(String.valueOf(s.errorBody())).startsWith("text/event-stream");
        return s;
    }

    private static ProxyClient.Reply ack(PushLane lane, String id) {
        return client.get(client.consumePort(), "/mq/ack?topic=" + lane.topic() + "&consumer=" + lane.group()
            + "&requestId=" + id);
    }

    @Alongside
    @Test
    void queueHeld_eventsComeInOrderPerQueue() {
        PushLane lane = lane("ordered");
        for (int i = 0; i < 15; i++) {
            lane.produce(client, "a" + i, "orderId", "A");
            lane.produce(client, "b" + i, "orderId", "B");
        }
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        try (SseClient s = stream(lane, "&maxUnacked=4")) {
            while (byKey.values().stream().mapToInt(List::size).sum() < 30) {
                List<SseClient.Event> got = s.messages(1, BOUND);
                assertThat(got).as("an event within the bound").hasSize(1);
                SseClient.Event e = got.get(0);
                String body = e.json().path("message").asText();
                byKey.computeIfAbsent(body.substring(0, 1), k -> new ArrayList<>())
                    .add(Integer.parseInt(body.substring(1)));
                assertThat(ack(lane, e.id()).result().path("status").asText()).isEqualTo("OK");
            }
        }
        List<Integer> expected = java.util.stream.IntStream.range(0, 15).boxed().toList();
        assertThat(byKey.get("a")).containsExactlyElementsOf(expected);
        assertThat(byKey.get("b")).containsExactlyElementsOf(expected);
    }

    @Alongside
    @Test
    void ackClient_redeliversWhatIsNotAcked() {
        PushLane lane = lane("client");
        String id = lane.produce(client, "ack me later");
        try (SseClient s = stream(lane, "&consumeTimeout=2")) {
            SseClient.Event first = s.messages(1, BOUND).get(0);
            assertThat(first.json().path("messageId").asText()).isEqualTo(id);
            assertThat(first.json().path("deliveryCount").asInt()).isEqualTo(1);
            SseClient.Event again = s.messages(1, BOUND).get(0);
            assertThat(again.json().path("messageId").asText()).isEqualTo(id);
            assertThat(again.json().path("deliveryCount").asInt()).isEqualTo(2);
            assertThat(again.id()).isNotEqualTo(first.id());
            assertThat(ack(lane, again.id()).result().path("status").asText()).isEqualTo("OK");
            assertThat(s.messages(1, Duration.ofSeconds(8))).as("acked: not again").isEmpty();
        }
    }

    @Alongside
    @Test
    void ackAuto_doesNotRedeliver() {
        PushLane lane = lane("auto");
        String id = lane.produce(client, "fire and forget");
        try (SseClient s = stream(lane, "&ack=auto&consumeTimeout=2")) {
            assertThat(s.messages(1, BOUND).get(0).json().path("messageId").asText()).isEqualTo(id);
            assertThat(s.messages(1, Duration.ofSeconds(8))).isEmpty();
        }
        ProxyClient.Reply poll = client.get(client.consumePort(), "/mq/message?topic=" + lane.topic() + "&consumer="
            + lane.group() + "&requestId=&pullTimeout=2");
        assertThat(poll.result().path("msgListSize").asInt() + poll.result().path("retryMsgListSize").asInt()).isZero();
    }

    @Alongside
    @Test
    void unackedBound_holds_andAnAckLetsTheNextOneThrough() {
        PushLane lane = lane("bound");
        for (int i = 0; i < 10; i++) {
            lane.produce(client, "bounded " + i);
        }
        try (SseClient s = stream(lane, "&maxUnacked=3")) {
            List<SseClient.Event> got = s.messages(3, BOUND);
            assertThat(got).hasSize(3);
            // Issue 22: the stream says why nothing more comes, once, and when it goes on.
            SseClient.Event held = s.next(BOUND);
            assertThat(held).as("an event saying the stream waits").isNotNull();
            assertThat(held.name()).isEqualTo("paused");
            assertThat(held.json().path("reason").asText()).isEqualTo("maxUnacked");
            assertThat(held.json().path("unacked").asInt()).isEqualTo(3);
            assertThat(s.next(Duration.ofSeconds(4))).as("no fourth while three are unacked, no second paused")
                .isNull();
            ack(lane, got.get(0).id());
            SseClient.Event resumed = s.next(BOUND);
            assertThat(resumed).as("an event saying the stream goes on").isNotNull();
            assertThat(resumed.name()).isEqualTo("resumed");
            assertThat(resumed.json().path("reason").asText()).isEqualTo("maxUnacked");
            assertThat(s.messages(1, BOUND)).as("an ack frees one place").hasSize(1);
            assertThat(s.messages(1, Duration.ofSeconds(3))).isEmpty();
            assertThat(s.comments()).as("heartbeats while waiting").contains("heartbeat");
        }
    }

    @Alongside
    @Test
    void droppedConnection_givesItsMessagesBackPromptly() {
        PushLane lane = lane("drop");
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            sent.add(lane.produce(client, "dropped " + i));
        }
        try (SseClient s = stream(lane, "&consumeTimeout=300")) {
            assertThat(s.messages(5, BOUND)).hasSize(5);
        }
        long dropped = System.nanoTime();
        Set<String> again = new HashSet<>();
        await().atMost(BOUND).until(() -> {
            ProxyClient.Reply r = client.get(client.consumePort(), "/mq/message?topic=" + lane.topic() + "&consumer="
                + lane.group() + "&requestId=&pullTimeout=2&maxPullSize=10");
            r.result().path("msgList").forEach(m -> again.add(m.path("messageId").asText()));
            r.result().path("retryMsgList").forEach(m -> again.add(m.path("messageId").asText()));
            return again.containsAll(sent);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - dropped)).as("long before the 300 s consumeTimeout")
            .isLessThan(Duration.ofSeconds(60));
    }

    @Alongside
    @Test
    void reconnectWithLastEventId_resumesWithoutLosingAnything() {
        PushLane lane = lane("resume");
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bodies.add("r" + i);
            lane.produce(client, "r" + i, "orderId", "one-queue");
        }
        List<String> processed = new ArrayList<>();
        String lastId;
        try (SseClient s = stream(lane, "&maxUnacked=10")) {
            List<SseClient.Event> got = s.messages(6, BOUND);
            assertThat(got).hasSize(6);
            for (SseClient.Event e : got.subList(0, 3)) {
                processed.add(e.json().path("message").asText());
                ack(lane, e.id());
            }
            lastId = got.get(5).id(); // received, not acked: the connection drops before the client acks it
        }
        try (SseClient s = stream(lane, "&maxUnacked=10", Map.of("Last-Event-ID", lastId))) {
            await().atMost(BOUND).until(() -> s.comments().stream().anyMatch(c -> c.contains("resumed")));
            while (processed.size() < 10) {
                List<SseClient.Event> got = s.messages(1, BOUND);
                assertThat(got).as("after %s", processed).hasSize(1);
                processed.add(got.get(0).json().path("message").asText());
                ack(lane, got.get(0).id());
            }
        }
        assertThat(processed).containsExactlyElementsOf(bodies);
    }

    @Alongside
    @Test
    void badInput_andAPausedGroup_areClearErrors_beforeAnyStream() {
        PushLane lane = lane("paused");
        SseClient unknown = SseClient.open(client.consumePort(), "/mq/stream?topic=" + lane.topic()
            + "&consumer=no-such-group");
        assertThat(unknown.errorBody().path("status").asInt()).isEqualTo(400);
        assertThat(unknown.errorBody().path("message").asText()).contains("consumer").contains("no-such-group");
        SseClient noTopic = SseClient.open(client.consumePort(), "/mq/stream?consumer=" + lane.group());
        assertThat(noTopic.errorBody().path("message").asText()).contains("topic");
        SseClient badAck = SseClient.open(client.consumePort(), "/mq/stream?topic=" + lane.topic() + "&consumer="
            + lane.group() + "&ack=sometimes");
        assertThat(badAck.errorBody().path("message").asText()).contains("ack");
        SseClient badBound = SseClient.open(client.consumePort(), "/mq/stream?topic=" + lane.topic() + "&consumer="
            + lane.group() + "&maxUnacked=100000");
        assertThat(badBound.errorBody().path("message").asText()).contains("maxUnacked");

        assertThat(client.admin("POST", "/admin/groups/" + lane.group() + "/pause", TOKEN, null).status())
            .isEqualTo(200);
        SseClient paused = SseClient.open(client.consumePort(), "/mq/stream?topic=" + lane.topic() + "&consumer="
            + lane.group());
        assertThat(paused.errorBody().path("status").asInt()).isEqualTo(400);
        assertThat(paused.errorBody().path("message").asText()).contains("paused");
        client.admin("POST", "/admin/groups/" + lane.group() + "/resume", TOKEN, null);
        try (SseClient open = stream(lane, "")) {
            assertThat(open.status()).isEqualTo(200);
        }
    }

    @Alongside
    @Test
    void aStreamOpenWhenItsGroupIsPaused_saysSo_andGoesOnAfterTheResume() {
        PushLane lane = lane("cors");
        try (SseClient s = stream(lane, "", Map.of("Origin", "http://page.example:5173"))) {
            assertThat(s.header("Access-Control-Allow-Origin")).isEqualTo("http://page.example:5173");
            assertThat(client.admin("POST", "/admin/groups/" + lane.group() + "/pause", TOKEN, null).status())
                .isEqualTo(200);
            SseClient.Event paused = await().atMost(BOUND).until(() -> s.next(Duration.ofSeconds(1)),
                e -> e != null && e.name().equals("paused"));
            assertThat(paused.json().path("consumer").asText()).isEqualTo(lane.group());
            String id = lane.produce(client, "after the resume");
            client.admin("POST", "/admin/groups/" + lane.group() + "/resume", TOKEN, null);
            List<SseClient.Event> got = s.messages(1, BOUND);
            assertThat(got).hasSize(1);
            assertThat(got.get(0).json().path("messageId").asText()).isEqualTo(id);
        }
    }
}
