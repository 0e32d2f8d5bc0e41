package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each parameter of {@code POST /mq/produce}, checked by reading back what the real broker stored, and the
 * three ways to pass parameters (query string, form body, JSON body).
 */
class ProduceParamsIT {
    private static final String PRODUCER = "params-producer";
    private static final String ORDER_PRODUCER = "params-order-producer";
    private static final String RR_PRODUCER = "params-rr-producer";
    private static final String RR01_PRODUCER = "params-rr01-producer";

    private static String topic;
    private static String orderTopic;
    private static String rrTopic;
    private static String rr01Topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void startProxy() {
        TestBroker broker = TestBroker.get();
        topic = broker.newTopic("params", 4);
        orderTopic = broker.newTopic("params-order", 8);
        rrTopic = broker.newTopic("params-rr", 4);
        rr01Topic = broker.newTopic("params-rr01", 4);
        proxy = TestProxy.builder()
            .producer(PRODUCER, topic)
            .producer(ORDER_PRODUCER, orderTopic)
            .producer(RR_PRODUCER, rrTopic)
            .producer(RR01_PRODUCER, rr01Topic)
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    private static Reply produceOk(Map<String, String> params) {
        Reply reply = client.produce(params);
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        return reply;
    }

    /** The stored message, found by its msgId through the broker's index, which is written a moment later. */
    private static MessageExt stored(Reply reply) {
        String topic = reply.result().path("messageQueue").path("topic").asText();
        String msgId = reply.result().path("msgId").asText();
        return await("stored " + msgId).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .ignoreExceptions().until(() -> TestBroker.get().admin().viewMessage(topic, msgId), m -> m != null);
    }

    @Test
    void message_nonAsciiUtf8_isStoredByteForByte() throws Exception {
        String text = "h\u00e9llo w\u00f6rld \u2014 \u4f60\u597d \ud83d\ude80 {\"a\":[1,2]} <tag> & = + %20";
        MessageExt m = stored(produceOk(form("producer", PRODUCER, "message", text)));
        assertThat(m.getBody()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        assertThat(m.getTopic()).isEqualTo(topic);
    }

    /** The seed's jQuery snippet: a form with "; charset=UTF-8" and Chinese text. */
    @Test
    void message_jqueryStyleFormWithCharset_isStored() throws Exception {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
            .header("Accept", "*/*")
            .POST(HttpRequest.BodyPublishers.ofString(
                ProxyClient.encode(form("producer", PRODUCER, "message", "http\u751f\u4ea7\u6d4b\u8bd5")))));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo("http\u751f\u4ea7\u6d4b\u8bd5");
    }

    @Test
    void message_ofExactly4MiBUtf8_isStored() throws Exception {
        // Varied text (not one repeated letter) so that compression does not hide the size.
        StringBuilder sb = new StringBuilder(4 * 1024 * 1024);
        Random random = new Random(42);
        while (sb.length() < 4 * 1024 * 1024) {
            sb.append((char) ('!' + random.nextInt(94)));
        }
        String text = sb.toString();
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(4_194_304);
        Reply reply = client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(text) + "}");
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo(text);
    }

    /** Bodies beyond Vert.x's default 8 KiB form field limit, as browsers post them. */
    @Test
    void message_of100KiBInFormBody_isStored() throws Exception {
        String text = "0123456789abcdef".repeat(6400);
        Reply reply = client.produce(form("producer", PRODUCER, "message", text));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo(text);
    }

    /** The seed's jQuery clients post forms: a near-4 MiB Chinese message is 12 MB percent-encoded. */
    @Test
    void message_near4MiBOfNonAsciiTextInFormBody_isStoredIntact() throws Exception {
        StringBuilder sb = new StringBuilder();
        Random random = new Random(7);
        while (sb.length() < 4 * 1024 * 1024 / 3) {
            sb.append((char) (0x4e00 + random.nextInt(0x5000)));
        }
        String text = sb.toString();
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4 * 1024 * 1024);
        Reply reply = client.produce(form("producer", PRODUCER, "message", text, "tags", "big"));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo(text);
    }

    @Test
    void formBody_latin1Charset_isDecodedAsDeclared() throws Exception {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
            .POST(HttpRequest.BodyPublishers.ofString("producer=" + PRODUCER + "&message=caf%E9+cr%E8me")));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo("caf\u00e9 cr\u00e8me");
    }

    @Test
    void result_hasSendStatusIdsQueueAndOffset_ofTheStoredMessage() throws Exception {
        Reply reply = produceOk(form("producer", PRODUCER, "message", "result-check"));
        var r = reply.result();
        assertThat(r.path("sendStatus").asText()).isEqualTo("SEND_OK");
        assertThat(r.path("msgId").asText()).isNotBlank();
        assertThat(r.path("offsetMsgId").asText()).isNotBlank().isNotEqualTo(r.path("msgId").asText());
        assertThat(r.path("messageQueue").path("topic").asText()).isEqualTo(topic);
        assertThat(r.path("messageQueue").path("brokerName").asText()).isEqualTo("broker-test");
        int queueId = r.path("messageQueue").path("queueId").asInt(-1);
        assertThat(queueId).isBetween(0, 3);
        assertThat(r.path("queueOffset").isIntegralNumber()).isTrue();
        assertThat(r.path("regionId").isTextual()).isTrue();
        assertThat(r.path("traceOn").isBoolean()).isTrue();

        long queueOffset = r.path("queueOffset").asLong();
        MessageExt byOffsetId = TestBroker.get().admin().viewMessage(topic, r.path("offsetMsgId").asText());
        assertThat(byOffsetId.getQueueId()).isEqualTo(queueId);
        assertThat(byOffsetId.getQueueOffset()).isEqualTo(queueOffset);
        assertThat(StoredMessages.body(byOffsetId)).isEqualTo("result-check");
        List<MessageExt> atOffset = StoredMessages.readQueue(topic, queueId, queueOffset);
        assertThat(atOffset).isNotEmpty();
        assertThat(StoredMessages.body(atOffset.get(0))).isEqualTo("result-check");
        assertThat(atOffset.get(0).getMsgId()).isEqualTo(r.path("msgId").asText());
    }

    @Test
    void keys_spaceSeparated_eachKeyFindsTheMessage() throws Exception {
        String k1 = "key-" + UUID.randomUUID();
        String k2 = "key-" + UUID.randomUUID();
        MessageExt m = stored(produceOk(form("producer", PRODUCER, "message", "keyed", "keys", k1 + " " + k2)));
        assertThat(m.getKeys()).isEqualTo(k1 + " " + k2);
        for (String key : List.of(k1, k2)) {
            await("look-up by key " + key).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> StoredMessages.byKey(topic, key).stream()
                    .anyMatch(found -> StoredMessages.body(found).equals("keyed")));
        }
        assertThat(StoredMessages.byKey(topic, k1 + " " + k2)).as("the joined string is not a key").isEmpty();
    }

    @Test
    void tags_areStoredAsTheMessageTag() throws Exception {
        MessageExt m = stored(produceOk(form("producer", PRODUCER, "message", "tagged", "tags", "TagA")));
        assertThat(m.getTags()).isEqualTo("TagA");
        MessageExt untagged = stored(produceOk(form("producer", PRODUCER, "message", "untagged")));
        assertThat(untagged.getTags()).isNull();
    }

    @Test
    void orderId_sameOrderId_sameQueue_inSendOrder() {
        Map<String, List<String>> sent = Map.of("order-A", new ArrayList<>(), "order-B", new ArrayList<>());
        Map<String, Set<Integer>> queues = Map.of("order-A", new HashSet<>(), "order-B", new HashSet<>());
        Map<String, Long> firstOffset = new java.util.HashMap<>();
        for (int i = 0; i < 20; i++) {
            String orderId = i % 2 == 0 ? "order-A" : "order-B";
            String body = orderId + "#" + i;
            Reply reply = produceOk(form("producer", ORDER_PRODUCER, "message", body, "orderId", orderId));
            sent.get(orderId).add(body);
            queues.get(orderId).add(reply.result().path("messageQueue").path("queueId").asInt());
            firstOffset.putIfAbsent(orderId, reply.result().path("queueOffset").asLong());
        }
        for (String orderId : sent.keySet()) {
            assertThat(queues.get(orderId)).as("queues used by %s", orderId).hasSize(1);
            int queueId = queues.get(orderId).iterator().next();
            List<String> inQueue = StoredMessages.bodies(StoredMessages.readQueue(orderTopic, queueId,
                firstOffset.get(orderId))).stream().filter(b -> b.startsWith(orderId + "#")).toList();
            assertThat(inQueue).as("%s in queue %d", orderId, queueId).containsExactlyElementsOf(sent.get(orderId));
        }
    }

    @Test
    void orderId_sameOrderIdFromAnotherProxyInstance_picksTheSameQueue() {
        int queueHere = produceOk(form("producer", ORDER_PRODUCER, "message", "here", "orderId", "shared-order"))
            .result().path("messageQueue").path("queueId").asInt();
        try (TestProxy other = TestProxy.builder().producer(ORDER_PRODUCER, orderTopic).start()) {
            Reply reply = other.client().produce(form("producer", ORDER_PRODUCER, "message", "there",
                "orderId", "shared-order"));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.result().path("messageQueue").path("queueId").asInt()).isEqualTo(queueHere);
        }
    }

    @Test
    void roundRobin_16SendsOn4Queues_put4InEachQueue_inTurn() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(rrTopic);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            order.add(produceOk(form("producer", RR_PRODUCER, "message", "rr-" + i, "roundRobin", "true"))
                .result().path("messageQueue").path("queueId").asInt());
        }
        Map<Integer, Long> after = StoredMessages.maxOffsets(rrTopic);
        assertThat(after).hasSize(4);
        after.forEach((queueId, max) -> assertThat(max - before.getOrDefault(queueId, 0L))
            .as("messages in queue %d", queueId).isEqualTo(4));
        for (int i = 0; i < 16; i += 4) {
            assertThat(new HashSet<>(order.subList(i, i + 4))).as("sends %d..%d take every queue once", i, i + 3)
                .hasSize(4);
        }
    }

    @Test
    void roundRobin_acceptsOneAndZeroAndFalse() {
        Set<Integer> queues = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            queues.add(produceOk(form("producer", RR01_PRODUCER, "message", "rr1-" + i, "roundRobin", "1"))
                .result().path("messageQueue").path("queueId").asInt());
        }
        assertThat(queues).as("roundRobin=1 spreads 4 sends over 4 queues").hasSize(4);
        produceOk(form("producer", RR01_PRODUCER, "message", "rr0", "roundRobin", "0"));
        produceOk(form("producer", RR01_PRODUCER, "message", "rrfalse", "roundRobin", "false"));
    }

    @Test
    void clientIp_given_isStoredAsUserProperty() throws Exception {
        MessageExt m = stored(produceOk(form("producer", PRODUCER, "message", "ip", "clientIp", "10.1.2.3")));
        assertThat(m.getUserProperty("clientIp")).isEqualTo("10.1.2.3");
    }

    @Test
    void clientIp_absent_defaultsToFirstXForwardedForAddress() throws Exception {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("producer", PRODUCER, "message", "xff")))));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(stored(reply).getUserProperty("clientIp")).isEqualTo("203.0.113.7");
    }

    @Test
    void clientIp_givenAndXForwardedFor_theGivenOneWins() throws Exception {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "203.0.113.7")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(
                form("producer", PRODUCER, "message", "both", "clientIp", "198.51.100.9")))));
        assertThat(stored(reply).getUserProperty("clientIp")).isEqualTo("198.51.100.9");
    }

    @Test
    void clientIp_absent_noHeader_defaultsToPeerAddress() throws Exception {
        MessageExt m = stored(produceOk(form("producer", PRODUCER, "message", "peer")));
        assertThat(m.getUserProperty("clientIp")).isEqualTo("127.0.0.1");
    }

    @Test
    void params_inQueryString_work() throws Exception {
        String key = "q-" + UUID.randomUUID();
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce?"
                + ProxyClient.encode(form("producer", PRODUCER, "message", "from query \u00e9", "keys", key,
                    "tags", "Q", "clientIp", "10.9.9.9"))))
            .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        MessageExt m = stored(reply);
        assertThat(StoredMessages.body(m)).isEqualTo("from query \u00e9");
        assertThat(m.getKeys()).isEqualTo(key);
        assertThat(m.getTags()).isEqualTo("Q");
        assertThat(m.getUserProperty("clientIp")).isEqualTo("10.9.9.9");
    }

    @Test
    void params_inJsonBody_work() throws Exception {
        String key = "j-" + UUID.randomUUID();
        Reply reply = client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":\"from json \u00e9\",\"keys\":\"" + key
                + "\",\"tags\":\"J\",\"clientIp\":\"10.8.8.8\"}");
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        MessageExt m = stored(reply);
        assertThat(StoredMessages.body(m)).isEqualTo("from json \u00e9");
        assertThat(m.getKeys()).isEqualTo(key);
        assertThat(m.getTags()).isEqualTo("J");
        assertThat(m.getUserProperty("clientIp")).isEqualTo("10.8.8.8");
    }

    @Test
    void jsonBody_messageThatIsAJsonObject_isSentAsItsJson() throws Exception {
        Reply reply = client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":{\"id\":11,\"name\":\"x\"}}");
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.body(stored(reply))).isEqualTo("{\"id\":11,\"name\":\"x\"}");
    }

    @Test
    void jsonBody_booleanAndNumberValues_work() {
        Set<Integer> queues = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Reply reply = client.postJson(client.producePort(), "/mq/produce",
                "{\"producer\":\"" + RR01_PRODUCER + "\",\"message\":\"json-rr-" + i + "\",\"roundRobin\":true}");
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            queues.add(reply.result().path("messageQueue").path("queueId").asInt());
        }
        assertThat(queues).as("JSON true spreads 4 sends over 4 queues").hasSize(4);
        Reply off = client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":\"json-false\",\"roundRobin\":false,\"orderId\":\"o\"}");
        assertThat(off.status()).as(off.raw().body()).isEqualTo(200);
    }

    @Test
    void params_queryStringAndFormBody_combine() throws Exception {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(),
                "/mq/produce?producer=" + PRODUCER))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("message", "split", "tags", "S")))));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(stored(reply).getTags()).isEqualTo("S");
    }
}
