package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /mq/produce/batch}: {@code messages} as a real JSON array or as the JSON text of a form
 * field; all sent is exactly {@code {"status":200}}; every element is readable from the broker; a bad
 * element refuses the whole batch before anything is sent.
 */
class ProduceBatchIT {
    private static final String PRODUCER = "batch-producer";
    private static final String BATCH = "/mq/produce/batch";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("batch", 4);
        proxy = TestProxy.builder().producer(PRODUCER, topic).start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    private static void assertAllSent(Reply reply) {
        assertThat(reply.httpStatus()).isEqualTo(200);
        assertThat(reply.raw().body()).as("all sent: status only, no result").isEqualTo("{\"status\":200}");
    }

    @Test
    void jsonBodyWithARealArray_allSent_everyElementStored_stringsAsText_othersAsJson() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        Reply reply = client.postJson(client.producePort(), BATCH, "{\"producer\":\"" + PRODUCER + "\",\"messages\":"
            + "[\"plain text\",{\"id\":1,\"n\":\"x\"},42,true,[1,\"a\"],\"\\\"quoted\\\"\",\"\u00e9\u4e2d\ud83d\ude80\"]}");
        assertAllSent(reply);
        // One small batch is one RocketMQ batch: one queue, in input order.
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before))).containsExactly(
            "plain text", "{\"id\":1,\"n\":\"x\"}", "42", "true", "[1,\"a\"]", "\"quoted\"", "\u00e9\u4e2d\ud83d\ude80");
    }

    @Test
    void formFieldHoldingJsonArrayText_allSent_everyElementStored() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        Reply reply = client.produceBatch(form("producer", PRODUCER,
            "messages", "[\"form one\",{\"id\":2},\"form \u00fc\"]"));
        assertAllSent(reply);
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before)))
            .containsExactly("form one", "{\"id\":2}", "form \u00fc");
    }

    /** A form field over Vert.x's default 8 KiB form attribute limit, as a browser posts a real batch. */
    @Test
    void formFieldOf100KiB_allSent_everyElementStored() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        List<String> messages = List.of(text(50 * 1024, 1), text(50 * 1024, 2));
        assertAllSent(client.produceBatch(form("producer", PRODUCER, "messages", JSON.writeValueAsString(messages))));
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before))).containsExactlyElementsOf(messages);
    }

    @Test
    void queryStringMessages_allSent() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), BATCH + "?"
                + ProxyClient.encode(form("producer", PRODUCER, "messages", "[\"q1\",\"q2\"]"))))
            .POST(HttpRequest.BodyPublishers.noBody()));
        assertAllSent(reply);
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before))).containsExactly("q1", "q2");
    }

    @Test
    void tagsAndClientIp_applyToEveryMessage() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        assertAllSent(client.produceBatch(form("producer", PRODUCER, "messages", "[\"t1\",\"t2\"]",
            "tags", "BatchTag", "clientIp", "10.7.7.7")));
        List<MessageExt> stored = StoredMessages.readSince(topic, before);
        assertThat(stored).hasSize(2).allSatisfy(m -> {
            assertThat(m.getTags()).isEqualTo("BatchTag");
            assertThat(m.getUserProperty("clientIp")).isEqualTo("10.7.7.7");
        });
    }

    @Test
    void clientIpAbsent_defaultsToPeerAddress_onEveryMessage() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        assertAllSent(client.produceBatch(form("producer", PRODUCER, "messages", "[\"p1\",\"p2\"]")));
        assertThat(StoredMessages.readSince(topic, before)).hasSize(2)
            .allSatisfy(m -> assertThat(m.getUserProperty("clientIp")).isEqualTo("127.0.0.1"));
    }

    @Test
    void batchLargerThanOneBrokerRequest_everyMessageStoredIntact() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(i + ":" + text(700 * 1024, i));
        }
        assertAllSent(client.postJson(client.producePort(), BATCH,
            JSON.writeValueAsString(Map.of("producer", PRODUCER, "messages", messages))));
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before)))
            .containsExactlyInAnyOrderElementsOf(messages);
    }

    /**
     * A batch over 1 MiB goes to the broker in several requests; with an orderId they must all land in the
     * orderId's queue in input order. Several rounds, because concurrent requests are reordered only sometimes.
     */
    @Test
    void batchWithOrderId_spanningSeveralBrokerRequests_staysInTheOrderIdsQueue_inInputOrder() throws Exception {
        int orderQueue = client.produce(form("producer", PRODUCER, "message", "single", "orderId", "batch-order"))
            .result().path("messageQueue").path("queueId").asInt();
        for (int round = 0; round < 8; round++) {
            Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                messages.add(String.format("%02d:%02d:", round, i) + text(100 * 1024, round * 100 + i));
            }
            assertAllSent(client.postJson(client.producePort(), BATCH, JSON.writeValueAsString(
                Map.of("producer", PRODUCER, "messages", messages, "orderId", "batch-order"))));
            Map<Integer, Long> after = StoredMessages.maxOffsets(topic);
            Set<Integer> grown = new HashSet<>();
            after.forEach((q, max) -> {
                if (max > before.getOrDefault(q, 0L)) {
                    grown.add(q);
                }
            });
            assertThat(grown).as("queues that received ordered batch %d", round).containsExactly(orderQueue);
            List<String> inQueue = StoredMessages.bodies(StoredMessages.readQueue(topic, orderQueue,
                before.get(orderQueue)));
            assertThat(inQueue.stream().map(b -> b.substring(0, 6)).toList()).as("order in the queue, round %d", round)
                .containsExactlyElementsOf(messages.stream().map(b -> b.substring(0, 6)).toList());
            assertThat(inQueue).containsExactlyElementsOf(messages);
        }
    }

    @Test
    void elementOfExactly4MiB_isStored() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        String big = text(4 * 1024 * 1024, 7);
        assertAllSent(client.postJson(client.producePort(), BATCH,
            JSON.writeValueAsString(Map.of("producer", PRODUCER, "messages", List.of("small", big)))));
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before)))
            .containsExactlyInAnyOrder("small", big);
    }

    // ---- bad input: 400 naming the parameter, and not one element reaches the broker ----

    private static void assertRefused(Reply reply, BrokerSnapshot before, String... named) {
        assertThat(reply.httpStatus()).isEqualTo(200);
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(400);
        for (String name : named) {
            assertThat(reply.message()).contains(name);
        }
        assertThat(reply.body().has("result")).as("no result: none was sent").isFalse();
        before.assertNothingStored();
    }

    @Test
    void messagesMissing_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("producer", PRODUCER)), before, "messages");
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "  ")), before, "messages");
    }

    @Test
    void producerMissingOrUnknown_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("messages", "[\"a\"]")), before, "producer");
        assertRefused(client.produceBatch(form("producer", "nobody", "messages", "[\"a\"]")), before, "producer",
            "nobody");
        assertRefused(client.produceBatch(form("producer", "bad name", "messages", "[\"a\"]")), before, "producer");
    }

    @Test
    void messagesNotAnArray_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "{\"a\":1}")), before, "messages");
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "just text")), before, "messages");
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[\"a\",")), before, "messages");
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":{\"a\":1}}"), before, "messages");
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":5}"), before, "messages");
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":\"not an array\"}"), before, "messages");
    }

    @Test
    void emptyBatch_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[]")), before, "messages");
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":[]}"), before, "messages");
    }

    @Test
    void emptyElement_refusesTheWholeBatch_namingIt_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[\"fine\",\"\"]")), before,
            "messages[1]");
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[\"fine\",\"   \"]")), before,
            "messages[1]");
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":[null,\"fine\"]}"), before, "messages[0]");
    }

    @Test
    void elementOver4MiB_refusesTheWholeBatch_namingIt_andNothingStored() throws Exception {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.postJson(client.producePort(), BATCH, JSON.writeValueAsString(Map.of("producer",
            PRODUCER, "messages", List.of("fine", "a".repeat(4 * 1024 * 1024 + 1))))), before, "messages[1]", "4194304");
    }

    @Test
    void moreElementsThanMaxBatchMessages_isRefused_andNothingStored() throws Exception {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add("m" + i);
        }
        assertRefused(client.postJson(client.producePort(), BATCH,
            JSON.writeValueAsString(Map.of("producer", PRODUCER, "messages", many))), before, "messages", "1000");
    }

    @Test
    void tagsOrClientIpContainingAPropertySeparator_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[\"a\"]", "tags", "x\u0001y")),
            before, "tags");
        assertRefused(client.produceBatch(form("producer", PRODUCER, "messages", "[\"a\"]",
            "clientIp", "1.1.1.1\u0002DELAY\u00015")), before, "clientIp");
    }

    @Test
    void malformedJsonBody_isRefused_andNothingStored() {
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        assertRefused(client.postJson(client.producePort(), BATCH,
            "{\"producer\":\"" + PRODUCER + "\",\"messages\":[\"a\""), before, "JSON");
        assertRefused(client.postJson(client.producePort(), BATCH, "[\"a\",\"b\"]"), before, "JSON object");
    }

    /** Printable ASCII that compresses poorly, so sizes are what they say. */
    private static String text(int bytes, long seed) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() < bytes) {
            sb.append((char) ('!' + random.nextInt(94)));
        }
        return sb.toString();
    }
}
