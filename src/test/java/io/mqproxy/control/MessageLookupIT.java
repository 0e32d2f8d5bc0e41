package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** "Did my message arrive, and did they consume it?": look-ups by id, key, time and tag, and states. */
class MessageLookupIT {
    private static final String TOKEN = "lookup-token-0123456789";
    private static String topic;
    private static String statesTopic;
    private static TestProxy proxy;
    private static final Map<String, String> ids = new LinkedHashMap<>();
    private static long before;
    private static long after;
    private static String binaryId;
    private static String binaryOffsetId;
    private static final byte[] BINARY = {(byte) 0xff, 0, (byte) 0xfe, 'x'};

    @BeforeAll
    static void start() throws Exception {
        topic = TestBroker.get().newTopic("lookup", 2);
        statesTopic = TestBroker.get().newTopic("lookup-states", 1);
        proxy = TestProxy.builder().operator("ops", TOKEN)
            .producer("lookup-p", topic)
            .producer("lookup-states-p", statesTopic)
            .consumer("lookup-c", statesTopic, Map.of("pop", true, "consumeTimeoutSeconds", 300))
            .consumer("lookup-h", statesTopic, Map.of("pop", false, "consumeTimeoutSeconds", 300))
            .consumer("lookup-d", statesTopic, Map.of("pop", true, "consumeTimeoutSeconds", 1,
                "minConsumeTimeoutSeconds", 1, "maxRetries", 0))
            .consumer("lookup-tag", statesTopic, Map.of("pop", true, "filter", Map.of("type", "TAG",
                "expression", "paid || refunded")))
            .consumer("lookup-sql", statesTopic, Map.of("pop", false, "filter", Map.of("type", "SQL92",
                "expression", "region = 'eu' AND amount > 100")))
            .start();
        before = System.currentTimeMillis() - 1;
        for (int i = 0; i < 7; i++) {
            Reply r = proxy.client().produce(form("producer", "lookup-p", "message", "body-" + i, "keys", "key-" + i,
                "tags", i % 2 == 0 ? "even" : "odd"));
            assertThat(r.status()).isEqualTo(200);
            ids.put("body-" + i, r.result().path("msgId").asText());
        }
        Reply big = proxy.client().produce(form("producer", "lookup-p", "message", "B".repeat(10_000), "keys", "big"));
        ids.put("big", big.result().path("msgId").asText());
        DefaultMQProducer producer = new DefaultMQProducer("lookup-native");
        producer.setNamesrvAddr(TestBroker.get().namesrvAddr());
        producer.setInstanceName("lookup-native-" + System.nanoTime());
        producer.start();
        try {
            SendResult sent = producer.send(new Message(topic, "bin", "binary-key", BINARY));
            binaryId = sent.getMsgId();
            binaryOffsetId = sent.getOffsetMsgId();
        } finally {
            producer.shutdown();
        }
        after = System.currentTimeMillis() + 1;
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static Reply get(String query) {
        return proxy.client().admin("GET", "/admin/messages?" + query, TOKEN, null);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void byId_findsEachMessage_withItsFields() {
        for (int i = 0; i < 7; i++) {
            Reply r = get("topic=" + topic + "&id=" + ids.get("body-" + i));
            assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
            JsonNode m = r.result().get(0);
            assertThat(m.path("body").asText()).isEqualTo("body-" + i);
            assertThat(m.path("keys").asText()).isEqualTo("key-" + i);
            assertThat(m.path("tags").asText()).isEqualTo(i % 2 == 0 ? "even" : "odd");
            assertThat(m.path("clientIp").asText()).isEqualTo("127.0.0.1");
            // Who sent it to the broker (the proxy's producer client), and the producers registered for the topic.
            assertThat(m.path("bornHost").asText()).as(m.toString()).matches(".+:\\d+");
            assertThat(m.path("producers")).extracting(JsonNode::asText).containsExactly("lookup-p");
            assertThat(m.has("producerGroup")).as("recorded by RocketMQ for transactional messages only").isFalse();
            assertThat(m.has("redriveHistory")).as("never redriven").isFalse();
            assertThat(m.path("queueOffset").isNumber()).isTrue();
            assertThat(m.path("storeTimestamp").asLong()).isBetween(before, after);
        }
        // The broker's offset id needs no topic.
        Reply byOffset = get("id=" + binaryOffsetId);
        assertThat(byOffset.httpStatus()).as(byOffset.raw().body()).isEqualTo(200);
        assertThat(byOffset.result().get(0).path("messageId").asText()).isEqualTo(binaryId);
    }

    @Test
    void aBodyThatIsNotText_comesBackIntact_andALargeOneIsTruncatedButFetchableWhole() {
        JsonNode bin = get("topic=" + topic + "&id=" + binaryId).result().get(0);
        assertThat(bin.path("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(bin.path("body").asText())).isEqualTo(BINARY);

        JsonNode cut = get("topic=" + topic + "&id=" + ids.get("big")).result().get(0);
        assertThat(cut.path("truncated").asBoolean()).isTrue();
        assertThat(cut.path("bodyBytes").asInt()).isEqualTo(10_000);
        assertThat(cut.path("body").asText()).hasSize(4096);
        JsonNode whole = get("topic=" + topic + "&id=" + ids.get("big") + "&full=true").result().get(0);
        assertThat(whole.path("truncated").asBoolean()).isFalse();
        assertThat(whole.path("body").asText()).isEqualTo("B".repeat(10_000));
    }

    @Test
    void byKey_findsTheMessage() {
        Reply r = await().atMost(Duration.ofSeconds(20)).until(() -> get("topic=" + topic + "&key=key-3"),
            reply -> reply.httpStatus() == 200 && reply.result().size() > 0);
        assertThat(r.result().get(0).path("body").asText()).isEqualTo("body-3");
    }

    @Test
    void byTime_pagesThroughEveryMessageOnce_newestFirst_andByTag() {
        List<String> bodies = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = get("topic=" + topic + "&since=" + before + "&until=" + after + "&pageSize=2"
                + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.httpStatus()).as(page.raw().body()).isEqualTo(200);
            page.result().path("messages").forEach(m -> {
                bodies.add(m.path("body").asText());
                times.add(m.path("storeTimestamp").asLong());
            });
            cursor = page.result().path("cursor").isTextual() ? page.result().path("cursor").asText() : null;
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(bodies).hasSize(9).doesNotHaveDuplicates();
        assertThat(bodies).contains("body-0", "body-6");
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i)).as("newest first").isLessThanOrEqualTo(times.get(i - 1));
        }

        Reply odd = get("topic=" + topic + "&since=" + before + "&until=" + after + "&tag=odd&pageSize=50");
        List<String> oddBodies = new ArrayList<>();
        odd.result().path("messages").forEach(m -> oddBodies.add(m.path("body").asText()));
        assertThat(oddBodies).containsExactlyInAnyOrder("body-1", "body-3", "body-5");
    }

    @Test
    void states_sayWhereTheMessageIs_forEachGroup() throws Exception {
        Map<String, String> msg = new HashMap<>();
        for (String body : new String[] {"m1", "m2", "m3"}) {
            Reply r = proxy.client().produce(form("producer", "lookup-states-p", "message", body));
            msg.put(body, r.result().path("msgId").asText());
        }
        // Queue-held: m1 acked. Concurrent: m1 and m2 handed out (m2's batch not acked), m3 not yet.
        Consumer held = new Consumer(proxy.client(), statesTopic, "lookup-h").with("maxPullSize", "1")
            .with("pullTimeout", "5");
        await().atMost(Duration.ofSeconds(20)).until(() -> Consumer.bodies(held.poll()).contains("m1"));
        held.call("/mq/ack");
        Consumer conc = new Consumer(proxy.client(), statesTopic, "lookup-c").with("maxPullSize", "1")
            .with("pullTimeout", "5");
        await().atMost(Duration.ofSeconds(20)).until(() -> Consumer.bodies(conc.poll()).contains("m1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Consumer.bodies(conc.pollWithoutAck()).contains("m2"));
        // Dead letters: delivered once, never acked, moved when it comes back (maxRetries 0).
        Consumer dead = new Consumer(proxy.client(), statesTopic, "lookup-d").with("pullTimeout", "1");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            dead.pollWithoutAck();
            return state(msg.get("m1"), "lookup-d").equals("DEAD_LETTERED");
        });

        assertThat(state(msg.get("m1"), "lookup-h")).isEqualTo("ACKED");
        assertThat(state(msg.get("m2"), "lookup-h")).isEqualTo("NOT_ACKED");
        assertThat(state(msg.get("m1"), "lookup-c")).isEqualTo("DELIVERED");
        assertThat(state(msg.get("m2"), "lookup-c")).isEqualTo("DELIVERED");
        assertThat(state(msg.get("m3"), "lookup-c")).isEqualTo("NOT_DELIVERED");
        JsonNode exactness = states(msg.get("m3")).get("lookup-c");
        assertThat(exactness.path("exact").asBoolean()).isTrue();
        assertThat(exactness.path("history")).as("never dead-lettered: no history in the group").isEmpty();
        // Dead-lettered: when, in the group's history.
        JsonNode deadHistory = states(msg.get("m1")).get("lookup-d").path("history");
        assertThat(deadHistory).as(deadHistory.toString()).hasSize(1);
        assertThat(deadHistory.get(0).path("event").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(deadHistory.get(0).path("at").asLong()).isBetween(before, System.currentTimeMillis());

        // Dead letters are searchable the same way: they are messages of %DLQ%<group>.
        Reply letter = get("topic=" + q("%DLQ%lookup-d") + "&id=" + msg.get("m1"));
        assertThat(letter.httpStatus()).as(letter.raw().body()).isEqualTo(200);
        assertThat(letter.result().get(0).path("body").asText()).isEqualTo("m1");
        Reply recent = get("topic=" + q("%DLQ%lookup-d") + "&since=" + (System.currentTimeMillis() - 120_000));
        assertThat(recent.httpStatus()).as(recent.raw().body()).isEqualTo(200);
        assertThat(recent.result().path("messages").size()).isPositive();
    }

    @Test
    void aMessageTheGroupsFilterDoesNotTake_isFiltered_notUndelivered() {
        String paid = proxy.client().produce(form("producer", "lookup-states-p", "message", "f1", "tags", "paid",
            "properties", "{\"region\":\"eu\",\"amount\":\"150\"}")).result().path("msgId").asText();
        String open = proxy.client().produce(form("producer", "lookup-states-p", "message", "f2", "tags", "open",
            "properties", "{\"region\":\"us\",\"amount\":\"150\"}")).result().path("msgId").asText();
        String bare = proxy.client().produce(form("producer", "lookup-states-p", "message", "f3")).result()
            .path("msgId").asText();

        assertThat(state(paid, "lookup-tag")).isEqualTo("NOT_DELIVERED");
        assertThat(state(paid, "lookup-sql")).isEqualTo("NOT_ACKED");
        JsonNode filtered = states(open).get("lookup-tag");
        assertThat(filtered.path("state").asText()).isEqualTo("FILTERED");
        assertThat(filtered.path("exact").asBoolean()).as("past the group's offset: never delivered").isTrue();
        assertThat(filtered.path("note").asText()).contains("TAG paid || refunded");
        assertThat(state(open, "lookup-sql")).as("region us").isEqualTo("FILTERED");
        assertThat(state(bare, "lookup-tag")).as("no tag").isEqualTo("FILTERED");
        assertThat(state(bare, "lookup-sql")).as("no properties: the comparison is unknown").isEqualTo("FILTERED");
        assertThat(state(open, "lookup-c")).as("a group without a filter takes it").isEqualTo("NOT_DELIVERED");
    }

    private static Map<String, JsonNode> states(String id) {
        Reply r = get("topic=" + statesTopic + "&id=" + id + "&states=true");
        assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
        Map<String, JsonNode> byGroup = new HashMap<>();
        r.result().get(0).path("states").forEach(s -> byGroup.put(s.path("group").asText(), s));
        return byGroup;
    }

    private static String state(String id, String group) {
        return states(id).get(group).path("state").asText();
    }

    @Test
    void badInput_isAClearErrorNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("topic=" + topic + "&id=not-an-id", "id:");
        cases.put("topic=no-such-topic-here&id=" + ids.get("body-1"), "topic:");
        cases.put("topic=" + topic + "&since=" + after + "&until=" + before, "until:");
        cases.put("topic=" + topic + "&since=" + before + "&pageSize=1000", "pageSize:");
        cases.put("topic=" + topic + "&since=" + before + "&cursor=bm90IGEgY3Vyc29y", "cursor:");
        cases.put("topic=" + topic + "&since=yesterday", "since:");
        cases.put("topic=" + topic + "&colour=red", "colour:");
        cases.put("topic=" + topic, "since:");
        cases.forEach((query, field) -> {
            Reply r = get(query);
            assertThat(r.httpStatus()).as(query + " -> " + r.raw().body()).isEqualTo(400);
            assertThat(r.message()).as(query).startsWith(field);
        });
        assertThat(get("topic=" + topic + "&id=" + "0".repeat(32)).httpStatus()).isEqualTo(404);
    }
}
