package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer's own message properties: given on {@code /mq/produce} (JSON body or a form field holding JSON)
 * and per message on {@code /mq/produce/batch}, stored by the broker as user properties, and delivered back on
 * polls (both modes), SSE events, webhook pushes and lookups. Bad ones are a 400 naming the property, and the
 * broker sees nothing.
 */
class MessagePropertiesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "properties-operator-token-0123";
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final PushReceiver receiver = new PushReceiver();
    private static String topic;
    private static String streamTopic;
    private static String hookTopic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestBroker broker = TestBroker.get();
        topic = broker.newTopic("props", 2);
        streamTopic = broker.newTopic("props-sse", 2);
        hookTopic = broker.newTopic("props-hook", 2);
        proxy = TestProxy.builder().operator("ops", TOKEN)
            .producer("props-p", topic)
            .consumer("props-pop", topic, Map.of("pop", true))
            .consumer("props-held", topic, Map.of())
            .producer("props-sse-p", streamTopic)
            .consumer("props-sse-g", streamTopic, Map.of("pop", true))
            .producer("props-hook-p", hookTopic)
            .consumer("props-hook-g", hookTopic, Map.of("pop", true, "push", Map.of("url", receiver.url("/hook"),
                "secret", "push-secret-0123456789")))
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        receiver.close();
    }

    @Test
    void properties_roundTrip_throughStorage_pollsInBothModes_andLookups() throws Exception {
        Reply fromForm = client.produce(form("producer", "props-p", "message", "form", "keys", "k-form",
            "properties", "{\"region\":\"eu\",\"amount\":\"120\"}", "clientIp", "10.1.2.3"));
        assertThat(fromForm.status()).as(fromForm.raw().body()).isEqualTo(200);
        Reply fromJson = client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"props-p\",\"message\":\"json\",\"properties\":{\"region\":\"us\",\"x-request-id\":\"r-1\"}}");
        assertThat(fromJson.status()).as(fromJson.raw().body()).isEqualTo(200);
        Reply batch = client.postJson(client.producePort(), "/mq/produce/batch",
            "{\"producer\":\"props-p\",\"messages\":[\"b0\",\"b1\",\"b2\"],"
                + "\"properties\":[{\"n\":\"0\"},null,{\"n\":\"2\",\"é\":\"x\"}]}");
        assertThat(batch.status()).as(batch.raw().body()).isEqualTo(400);
        assertThat(batch.message()).contains("properties[2].");
        batch = client.postJson(client.producePort(), "/mq/produce/batch",
            "{\"producer\":\"props-p\",\"messages\":[\"b0\",\"b1\",\"b2\"],\"properties\":[{\"n\":\"0\"},null,{\"n\":\"2\"}]}");
        assertThat(batch.status()).as(batch.raw().body()).isEqualTo(200);
        Reply batchAll = client.produceBatch(form("producer", "props-p", "messages", "[\"c0\",\"c1\"]",
            "properties", "{\"batch\":\"all\"}"));
        assertThat(batchAll.status()).as(batchAll.raw().body()).isEqualTo(200);

        // What the broker stored: the producer's own properties as user properties, beside the proxy's clientIp.
        MessageExt stored = TestBroker.get().admin().viewMessage(topic, fromForm.result().path("msgId").asText());
        assertThat(stored.getUserProperty("region")).isEqualTo("eu");
        assertThat(stored.getUserProperty("amount")).isEqualTo("120");
        assertThat(stored.getUserProperty("clientIp")).isEqualTo("10.1.2.3");

        Map<String, Map<String, String>> expected = new LinkedHashMap<>();
        expected.put("form", Map.of("region", "eu", "amount", "120", "clientIp", "10.1.2.3"));
        expected.put("json", Map.of("region", "us", "x-request-id", "r-1"));
        expected.put("b0", Map.of("n", "0"));
        expected.put("b1", Map.of());
        expected.put("b2", Map.of("n", "2"));
        expected.put("c0", Map.of("batch", "all"));
        expected.put("c1", Map.of("batch", "all"));
        for (String group : List.of("props-pop", "props-held")) {
            Map<String, Map<String, String>> got = drain(new Consumer(client, topic, group), expected.size());
            assertThat(got.keySet()).as(group).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((body, props) -> assertThat(got.get(body)).as(group + " " + body).containsAllEntriesOf(props));
            assertThat(got.get("b1")).as("no properties of its own").doesNotContainKey("n");
        }

        Reply found = client.admin("GET", "/admin/messages?topic=" + topic + "&key=k-form", TOKEN, null);
        assertThat(found.status()).as(found.raw().body()).isEqualTo(200);
        assertThat(found.raw().body()).contains("\"region\":\"eu\"").contains("\"amount\":\"120\"");
    }

    @Test
    void properties_reachSseEvents_andWebhookPushes() {
        Reply sent = client.produce(form("producer", "props-sse-p", "message", "to the stream",
            "properties", "{\"region\":\"eu\"}"));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        try (SseClient s = SseClient.open(client.consumePort(), "/mq/stream?topic=" + streamTopic
            + "&consumer=props-sse-g&ack=auto")) {
            assertThat(s.status()).isEqualTo(200);
            JsonNode event = s.messages(1, BOUND).get(0).json();
            assertThat(event.path("properties").path("region").asText()).isEqualTo("eu");
        }
        Reply pushed = client.produce(form("producer", "props-hook-p", "message", "to the hook",
            "properties", "{\"region\":\"apac\"}"));
        assertThat(pushed.status()).as(pushed.raw().body()).isEqualTo(200);
        String id = pushed.result().path("msgId").asText();
        await().atMost(BOUND).until(() -> receiver.messageIds().contains(id));
        JsonNode message = receiver.received().stream().filter(r -> r.messageIds().contains(id)).findFirst()
            .orElseThrow().json().path("messages").get(0);
        assertThat(message.path("properties").path("region").asText()).isEqualTo("apac");
    }

    @Test
    void traceContext_travelsWithTheMessage_toPolls_sseEvents_andWebhookHeaders() {
        String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String state = "vendor=abc,other=1";
        String hookId = sendWithTrace("props-hook-p", "traced hook", parent, state);
        await().atMost(BOUND).until(() -> receiver.messageIds().contains(hookId));
        PushReceiver.Received pushed = receiver.received().stream().filter(r -> r.messageIds().contains(hookId))
            .findFirst().orElseThrow();
        assertThat(pushed.header("traceparent")).isEqualTo(parent);
        assertThat(pushed.header("tracestate")).isEqualTo(state);
        assertThat(pushed.json().path("messages").get(0).path("properties").path("traceparent").asText())
            .isEqualTo(parent);

        sendWithTrace("props-sse-p", "traced stream", parent, state);
        try (SseClient s = SseClient.open(client.consumePort(), "/mq/stream?topic=" + streamTopic
            + "&consumer=props-sse-g&ack=auto")) {
            JsonNode event = s.messages(1, BOUND).get(0).json();
            assertThat(event.path("message").asText()).isEqualTo("traced stream");
            assertThat(event.path("properties").path("traceparent").asText()).isEqualTo(parent);
            assertThat(event.path("properties").path("tracestate").asText()).isEqualTo(state);
        }

        String badId = sendWithTrace("props-hook-p", "badly traced", "00-xyz-00f067aa0ba902b7-01", state);
        await().atMost(BOUND).until(() -> receiver.messageIds().contains(badId));
        PushReceiver.Received bad = receiver.received().stream().filter(r -> r.messageIds().contains(badId))
            .findFirst().orElseThrow();
        assertThat(bad.header("traceparent")).as("a malformed traceparent is ignored, not kept").isNull();
        assertThat(bad.json().path("messages").get(0).path("properties").has("tracestate")).isFalse();
    }

    private static String sendWithTrace(String producer, String body, String parent, String state) {
        Reply reply = client.send(java.net.http.HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json").header("traceparent", parent).header("tracestate", state)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"producer\":\"" + producer
                + "\",\"message\":\"" + body + "\"}")));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        return reply.result().path("msgId").asText();
    }

    @Test
    void badProperties_areRefused_namingTheProperty_andNothingIsStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        String many = "{" + String.join(",", java.util.stream.IntStream.range(0, 65)
            .mapToObj(i -> "\"p" + i + "\":\"v\"").toList()) + "}";
        String big = "{\"big\":\"" + "x".repeat(17 * 1024) + "\"}";
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{\"KEYS\":\"forged\"}", "properties.KEYS");
        refusals.put("{\"UNIQ_KEY\":\"forged\"}", "properties.UNIQ_KEY");
        refusals.put("{\"DELAY\":\"3\"}", "properties.DELAY");
        refusals.put("{\"clientIp\":\"1.2.3.4\"}", "properties.clientIp");
        refusals.put("{\"MQPROXY_REDRIVE_BASE\":\"0\"}", "properties.MQPROXY_REDRIVE_BASE");
        refusals.put("{\"1st\":\"v\"}", "properties.1st");
        refusals.put("{\"a b\":\"v\"}", "properties.a b");
        refusals.put("{\"amount\":120}", "properties.amount");
        refusals.put("{\"nested\":{\"a\":\"b\"}}", "properties.nested");
        refusals.put("{\"ctl\":\"a\\u0001b\"}", "properties.ctl");
        refusals.put("[\"a\"]", "properties");
        refusals.put("not json", "properties");
        refusals.put(many, "at most 64 properties");
        refusals.put(big, "at most 16384 bytes");
        refusals.forEach((properties, named) -> {
            Reply reply = client.produce(form("producer", "props-p", "message", "m", "properties", properties));
            assertThat(reply.status()).as(properties + " -> " + reply.raw().body()).isEqualTo(400);
            assertThat(reply.message()).as(properties).contains(named);
        });
        Reply together = client.produce(form("producer", "props-p", "message", "m", "keys", "k".repeat(20 * 1024),
            "properties", "{\"big\":\"" + "x".repeat(15 * 1024) + "\"}"));
        assertThat(together.status()).as(together.raw().body()).isEqualTo(400);
        assertThat(together.message()).contains("keys, tags and properties together");
        Reply mismatch = client.postJson(client.producePort(), "/mq/produce/batch",
            "{\"producer\":\"props-p\",\"messages\":[\"a\",\"b\"],\"properties\":[{\"n\":\"0\"}]}");
        assertThat(mismatch.status()).as(mismatch.raw().body()).isEqualTo(400);
        assertThat(mismatch.message()).contains("properties").contains("one entry per message");
        Reply reservedInBatch = client.postJson(client.producePort(), "/mq/produce/batch",
            "{\"producer\":\"props-p\",\"messages\":[\"a\",\"b\"],\"properties\":[null,{\"TAGS\":\"x\"}]}");
        assertThat(reservedInBatch.status()).as(reservedInBatch.raw().body()).isEqualTo(400);
        assertThat(reservedInBatch.message()).contains("properties[1].TAGS");
        before.assertNothingStored();
    }

    /** Polls until {@code count} messages arrived; body -> properties (empty when none). */
    private static Map<String, Map<String, String>> drain(Consumer consumer, int count) {
        Map<String, Map<String, String>> got = new LinkedHashMap<>();
        await().atMost(BOUND).until(() -> {
            Reply reply = consumer.poll();
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            List<JsonNode> all = new ArrayList<>();
            reply.result().path("msgList").forEach(all::add);
            reply.result().path("retryMsgList").forEach(all::add);
            for (JsonNode m : all) {
                Map<String, String> props = new LinkedHashMap<>();
                m.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
                got.put(m.path("message").asText(), props);
            }
            return got.size() >= count;
        });
        consumer.poll();
        return got;
    }
}
