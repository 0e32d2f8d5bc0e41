package io.mqproxy.consume;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscription filters applied at the broker (issue 24): a group with a TAG filter gets only the messages
 * tagged as it says, in both modes and for each broadcast clientId; an SQL92 filter selects by the
 * producers' properties; SSE streams and webhook pushes take the same filter. Each topic has one queue
 * and its last message matches, so a message filtered out was passed over, not merely not reached yet.
 */
class SubscriptionFilterIT {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Map<String, Object> PAID = Map.of("type", "TAG", "expression", "paid || refunded");
    private static final Map<String, Object> EU_OVER_100 = Map.of("type", "SQL92",
        "expression", "region = 'eu' AND amount > 100");
    private static final PushReceiver receiver = new PushReceiver();
    private static String pops;
    private static String held;
    private static String broadcast;
    private static String sql;
    private static String stream;
    private static String hook;
    private static String hash;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestBroker broker = TestBroker.get();
        pops = broker.newTopic("flt-pop", 1);
        held = broker.newTopic("flt-held", 1);
        broadcast = broker.newTopic("flt-bc", 1);
        sql = broker.newTopic("flt-sql", 1);
        stream = broker.newTopic("flt-sse", 1);
        hook = broker.newTopic("flt-hook", 1);
        hash = broker.newTopic("flt-hash", 1);
        proxy = TestProxy.builder()
            .producer("flt-pop-p", pops).consumer("flt-pop-g", pops, Map.of("pop", true, "filter", PAID))
            .consumer("flt-pop-all", pops, Map.of("pop", true))
            .producer("flt-held-p", held).consumer("flt-held-g", held, Map.of("pop", false, "filter", PAID))
            .producer("flt-bc-p", broadcast).consumer("flt-bc-g", broadcast, Map.of("mode", "broadcast",
                "pop", true, "filter", PAID))
            .producer("flt-sql-p", sql).consumer("flt-sql-g", sql, Map.of("pop", true, "filter", EU_OVER_100))
            .producer("flt-sse-p", stream).consumer("flt-sse-g", stream, Map.of("pop", true, "filter", PAID))
            .producer("flt-hook-p", hook).consumer("flt-hook-g", hook, Map.of("pop", true, "filter", PAID,
                "push", Map.of("url", receiver.url("/hook"), "secret", "push-secret-0123456789")))
            .producer("flt-hash-p", hash).consumer("flt-hash-g", hash, Map.of("pop", true, "filter",
                Map.of("type", "TAG", "expression", "Aa")))
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
    void tagFilter_clustering_deliversOnlyTheTagsNamed_whileAnUnfilteredGroupGetsAll() {
        List<String> sent = produceTagged("flt-pop-p");
        assertThat(drain(new Consumer(client, pops, "flt-pop-g"), 3)).containsExactly("paid-1", "refunded-2",
            "paid-3");
        assertThat(drain(new Consumer(client, pops, "flt-pop-all"), sent.size()))
            .containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void tagFilter_queueHeld_deliversOnlyTheTagsNamed_inOrder() {
        produceTagged("flt-held-p");
        assertThat(drain(new Consumer(client, held, "flt-held-g"), 3)).containsExactly("paid-1", "refunded-2",
            "paid-3");
    }

    @Test
    void tagFilter_broadcast_appliesToEachClientId() {
        produceTagged("flt-bc-p");
        for (String clientId : List.of("client-a", "client-b")) {
            Consumer c = new Consumer(client, broadcast, "flt-bc-g").with("clientId", clientId);
            assertThat(drain(c, 3)).as(clientId).containsExactly("paid-1", "refunded-2", "paid-3");
        }
    }

    /** The broker matches tags by hash code; "BB" has the hash of "Aa", and still does not reach the group. */
    @Test
    void tagFilter_aTagWhoseHashCollides_isNotDelivered() {
        produce("flt-hash-p", "collides", "BB", null);
        produce("flt-hash-p", "named", "Aa", null);
        assertThat(drain(new Consumer(client, hash, "flt-hash-g"), 1)).containsExactly("named");
    }

    /**
     * Property values are strings; RocketMQ's SQL92 converts one to the number it is compared with
     * ({@code amount > 100}: "120" is 120). A value that is no number, or no value, does not match.
     */
    @Test
    void sql92Filter_selectsByProperties() {
        produce("flt-sql-p", "eu-120", null, "{\"region\":\"eu\",\"amount\":\"120\"}");
        produce("flt-sql-p", "eu-100", null, "{\"region\":\"eu\",\"amount\":\"100\"}");
        produce("flt-sql-p", "us-500", null, "{\"region\":\"us\",\"amount\":\"500\"}");
        produce("flt-sql-p", "eu-none", null, "{\"region\":\"eu\"}");
        produce("flt-sql-p", "eu-lots", null, "{\"region\":\"eu\",\"amount\":\"lots\"}");
        produce("flt-sql-p", "plain", null, null);
        produce("flt-sql-p", "eu-5000", null, "{\"region\":\"eu\",\"amount\":\"5000\"}");
        assertThat(drain(new Consumer(client, sql, "flt-sql-g"), 2)).containsExactly("eu-120", "eu-5000");
    }

    @Test
    void sseStream_honoursTheFilter() {
        produceTagged("flt-sse-p");
        try (SseClient s = SseClient.open(client.consumePort(), "/mq/stream?topic=" + stream
            + "&consumer=flt-sse-g&ack=auto")) {
            assertThat(s.status()).isEqualTo(200);
            List<String> got = s.messages(3, BOUND).stream().map(e -> e.json().path("message").asText()).toList();
            assertThat(got).containsExactly("paid-1", "refunded-2", "paid-3");
        }
    }

    @Test
    void webhookPush_honoursTheFilter() {
        produceTagged("flt-hook-p");
        await().atMost(BOUND).until(() -> pushedBodies().contains("paid-3"));
        assertThat(pushedBodies()).containsExactlyInAnyOrder("paid-1", "refunded-2", "paid-3");
    }

    /**
     * An external cluster whose brokers do not filter by property: a consumer of the file with an SQL92 filter
     * stops start-up, naming the consumer's key and the broker setting.
     */
    @Test
    void sql92Filter_onBrokersWithoutPropertyFiltering_stopsStartUp_namingTheSetting() throws Exception {
        String topic = TestBroker.get().newTopic("flt-nopf", 1);
        setPropertyFilter(false);
        try {
            assertThatThrownBy(() -> TestProxy.builder().producer("flt-nopf-p", topic)
                .consumer("flt-nopf-g", topic, Map.of("pop", true, "filter", EU_OVER_100)).start())
                .hasMessageContaining("consumers[0].filter")
                .hasMessageContaining(PropertyFilterSupport.SETTING + "=true");
            // A TAG filter needs no property filtering.
            TestProxy.builder().producer("flt-nopf-p", topic)
                .consumer("flt-nopf-g", topic, Map.of("pop", true, "filter", PAID)).start().close();
        } finally {
            setPropertyFilter(true);
        }
    }

    static void setPropertyFilter(boolean on) throws Exception {
        Properties p = new Properties();
        p.setProperty(PropertyFilterSupport.SETTING, Boolean.toString(on));
        TestBroker.get().admin().updateBrokerConfig(TestBroker.get().brokerAddr(), p);
    }

    /** Tagged paid, other, refunded, none, paid: the last one matches. */
    private static List<String> produceTagged(String producer) {
        List<String> sent = new ArrayList<>();
        sent.add(produce(producer, "paid-1", "paid", null));
        sent.add(produce(producer, "other-1", "other", null));
        sent.add(produce(producer, "refunded-2", "refunded", null));
        sent.add(produce(producer, "untagged", null, null));
        sent.add(produce(producer, "paid-3", "paid", null));
        return sent;
    }

    private static String produce(String producer, String body, String tag, String properties) {
        List<String> fields = new ArrayList<>(List.of("producer", producer, "message", body));
        if (tag != null) {
            fields.addAll(List.of("tags", tag));
        }
        if (properties != null) {
            fields.addAll(List.of("properties", properties));
        }
        Reply reply = client.produce(form(fields.toArray(String[]::new)));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        return body;
    }

    /** Polls (acking) until {@code count} messages came, then once more: nothing else is left for the group. */
    private static List<String> drain(Consumer consumer, int count) {
        List<String> got = new ArrayList<>();
        await().atMost(BOUND).until(() -> {
            Reply reply = consumer.poll();
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            got.addAll(Consumer.bodies(reply));
            return got.size() >= count;
        });
        assertThat(Consumer.bodies(consumer.with("pullTimeout", "1").poll())).as("nothing else").isEmpty();
        return got;
    }

    private static List<String> pushedBodies() {
        List<String> bodies = new ArrayList<>();
        for (PushReceiver.Received r : receiver.received()) {
            for (JsonNode m : r.json().path("messages")) {
                bodies.add(m.path("message").asText());
            }
        }
        return bodies;
    }
}
