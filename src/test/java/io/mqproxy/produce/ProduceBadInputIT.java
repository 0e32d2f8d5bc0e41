package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every bad input to {@code POST /mq/produce} is a {@code 400} whose message names the parameter, and
 * nothing reaches the broker: neither the topic nor the broker's delay and timer parking topics move.
 */
class ProduceBadInputIT {
    private static final String PRODUCER = "bad-input-producer";
    private static final int FOUR_MIB = 4 * 1024 * 1024;

    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;
    private BrokerSnapshot before;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("bad-input", 4);
        proxy = TestProxy.builder().producer(PRODUCER, topic).start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @BeforeEach
    void snapshot() {
        before = BrokerSnapshot.of(topic);
    }

    private void assertRefused(Reply reply, String... named) {
        assertThat(reply.httpStatus()).as("HTTP code (clients read the envelope)").isEqualTo(200);
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(400);
        for (String name : named) {
            assertThat(reply.message()).as("the message names the parameter").contains(name);
        }
        assertThat(reply.body().has("result")).as("no result on a refusal").isFalse();
        before.assertNothingStored();
    }

    private Reply produce(String... keyValues) {
        return client.produce(form(keyValues));
    }

    @Test
    void producerMissing_isRefused_andNothingStored() {
        assertRefused(produce("message", "hello"), "producer");
    }

    @Test
    void producerBlank_isRefused_andNothingStored() {
        assertRefused(produce("producer", "   ", "message", "hello"), "producer");
    }

    @Test
    void producerUnknown_isRefused_namingIt_andNothingStored() {
        assertRefused(produce("producer", "no-such-producer", "message", "hello"), "producer", "no-such-producer");
    }

    @Test
    void producerWithIllegalCharacters_isRefused_andNothingStored() {
        assertRefused(produce("producer", "bad producer!", "message", "hello"), "producer");
        assertRefused(produce("producer", "bad/producer", "message", "hello"), "producer");
        assertRefused(produce("producer", "bad.producer", "message", "hello"), "producer");
    }

    @Test
    void producerLongerThan120_isRefused_andNothingStored() {
        assertRefused(produce("producer", "p".repeat(121), "message", "hello"), "producer");
    }

    @Test
    void messageMissing_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER), "message");
    }

    @Test
    void messageEmpty_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", ""), "message");
    }

    @Test
    void messageBlank_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "   "), "message");
        assertRefused(produce("producer", PRODUCER, "message", " \t\n "), "message");
    }

    @Test
    void messageOneByteOver4MiB_inJsonBody_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce",
            jsonProduce("a".repeat(FOUR_MIB + 1))), "message", "4194304");
    }

    @Test
    void messageUnder4MiBCharactersButOver4MiBUtf8Bytes_inJsonBody_isRefused_andNothingStored() {
        // 2,097,153 characters, 4,194,306 bytes in UTF-8: the limit counts bytes.
        assertRefused(client.postJson(client.producePort(), "/mq/produce",
            jsonProduce("é".repeat(FOUR_MIB / 2 + 1))), "message", "4194304");
    }

    /** The seed's jQuery clients post forms: the 4 MiB rule must answer them with the same envelope. */
    @Test
    void messageOneByteOver4MiB_inFormBody_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "a".repeat(FOUR_MIB + 1)), "message", "4194304");
    }

    private static String jsonProduce(String message) {
        return "{\"producer\":\"" + PRODUCER + "\",\"message\":\"" + message + "\"}";
    }

    @Test
    void delayLevel0_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "0"), "delayLevel", "1..18");
    }

    @Test
    void delayLevel19_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "19"), "delayLevel", "1..18");
    }

    @Test
    void delayLevelNegative_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "-1"), "delayLevel");
    }

    @Test
    void delayLevelNotANumber_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "one"), "delayLevel");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "1.5"), "delayLevel");
    }

    @Test
    void deliveryTimestampNegative_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "deliveryTimestamp", "-1000"),
            "deliveryTimestamp");
    }

    @Test
    void deliveryTimestampNotANumber_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "deliveryTimestamp", "tomorrow"),
            "deliveryTimestamp");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "deliveryTimestamp", "2030-01-01T00:00:00Z"),
            "deliveryTimestamp");
    }

    @Test
    void delayLevelWithDeliveryTimestamp_isRefused_andNothingStored() {
        String inOneMinute = Long.toString(System.currentTimeMillis() + 60_000);
        assertRefused(produce("producer", PRODUCER, "message", "hello", "delayLevel", "3",
            "deliveryTimestamp", inOneMinute), "delayLevel", "deliveryTimestamp");
    }

    @Test
    void orderIdWithRoundRobin_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "orderId", "o-1", "roundRobin", "true"),
            "orderId", "roundRobin");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "orderId", "o-1", "roundRobin", "1"),
            "orderId", "roundRobin");
    }

    @Test
    void roundRobinMaybe_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "roundRobin", "maybe"), "roundRobin");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "roundRobin", "yes"), "roundRobin");
    }

    /** RocketMQ separates properties with U+0001 and U+0002: such a value would be cut or inject properties. */
    @Test
    void keysContainingAPropertySeparator_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "keys", "a\u0002b"), "keys");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "keys", "a\u0001b"), "keys");
    }

    @Test
    void tagsContainingAPropertySeparator_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "tags", "t\u0001x"), "tags");
    }

    @Test
    void clientIpInjectingAProperty_isRefused_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello",
            "clientIp", "1.2.3.4\u0002TRAN_MSG\u0001true"), "clientIp");
    }

    /**
     * Found by HttpFuzzIT: a clientIp of only control characters was a 500 with a stack trace (RocketMQ refuses a
     * property value that trims to blank by throwing). Keys, tags and orderId of nothing but control characters
     * are no better, so every parameter is held to the same rule.
     */
    @Test
    void onlyControlCharactersInAProperty_isRefused_namingIt_andNothingStored() {
        assertRefused(produce("producer", PRODUCER, "message", "hello", "clientIp", "\u0000"), "clientIp");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "keys", "\u0000\u0003"), "keys");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "tags", "\u0000"), "tags");
        assertRefused(produce("producer", PRODUCER, "message", "hello", "orderId", "\u0000"), "orderId");
    }

    /** The broker refuses properties over 32 KiB as an "illegal message" (500): the proxy names the culprit. */
    @Test
    void keysTooLongForTheBroker_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "{\"producer\":\"" + PRODUCER
            + "\",\"message\":\"hello\",\"keys\":\"" + "k".repeat(40_000) + "\"}"), "keys");
    }

    @Test
    void tagsTooLongForTheBroker_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "{\"producer\":\"" + PRODUCER
            + "\",\"message\":\"hello\",\"tags\":\"" + "t".repeat(40_000) + "\"}"), "tags");
    }

    @Test
    void clientIpTooLongForTheBroker_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "{\"producer\":\"" + PRODUCER
            + "\",\"message\":\"hello\",\"clientIp\":\"" + "c".repeat(40_000) + "\"}"), "clientIp");
    }

    @Test
    void malformedJsonBody_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":\"hello\""), "JSON");
    }

    @Test
    void jsonBodyThatIsNotAnObject_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "[\"" + PRODUCER + "\",\"hello\"]"),
            "JSON object");
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "\"hello\""), "JSON object");
        assertRefused(client.postJson(client.producePort(), "/mq/produce", "42"), "JSON object");
    }

    @Test
    void jsonBodyWithBadDelayLevel_isRefused_andNothingStored() {
        assertRefused(client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":\"hello\",\"delayLevel\":19}"), "delayLevel");
        assertRefused(client.postJson(client.producePort(), "/mq/produce",
            "{\"producer\":\"" + PRODUCER + "\",\"message\":\"hello\",\"delayLevel\":true}"), "delayLevel");
    }

    @Test
    void queryStringWithBadDelayLevel_isRefused_andNothingStored() {
        Reply reply = client.send(HttpRequest.newBuilder(client.uri(client.producePort(),
                "/mq/produce?" + ProxyClient.encode(form("producer", PRODUCER, "message", "hello", "delayLevel", "0"))))
            .POST(HttpRequest.BodyPublishers.noBody()));
        assertRefused(reply, "delayLevel");
    }

    @Test
    void unknownPath_isA404Envelope_andNothingStored() {
        Reply reply = client.postForm(client.producePort(), "/mq/produce/nope", form("producer", PRODUCER,
            "message", "hello"));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(404);
        assertThat(reply.message()).contains("/mq/produce/nope");
        before.assertNothingStored();
    }

    @Test
    void requestBodyOverMaxBodyBytes_isA413Envelope_andNothingStored() {
        try (TestProxy small = TestProxy.builder().producer(PRODUCER, topic).set("http.maxBodyBytes", "65536").start()) {
            Reply reply = small.client().produce(form("producer", PRODUCER, "message", "x".repeat(100_000)));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(413);
            assertThat(reply.message()).contains("65536");
            before.assertNothingStored();
            // The same proxy still serves a request within the limit.
            assertThat(small.client().produce(form("producer", PRODUCER, "message", "fits")).status()).isEqualTo(200);
        }
    }
}
