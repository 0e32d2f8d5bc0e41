package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.assertBadParam;
import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad input is a 400 whose message names the parameter, and changes nothing: the batch a valid
 * requestId names stays reserved (its queue stays held) and nothing reaches the broker.
 */
class ConsumeValidationIT {
    private static final List<String> PATHS = List.of("/mq/message", "/mq/ack", "/mq/unlock", "/mq/nack");

    private static Lane main;
    private static Lane other;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        main = Lane.create("validate-main", 1);
        other = Lane.create("validate-other", 1);
        TestProxy.Builder builder = TestProxy.builder();
        main.register(builder, settings("minConsumeTimeoutSeconds", 5, "consumeTimeoutSeconds", 60));
        other.register(builder, settings("consumeTimeoutSeconds", 60));
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** A bad request: what it sends, and the parameter its answer must name. */
    private record Case(String param, Map<String, String> query) {
    }

    private static Case bad(String param, String... keyValues) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            q.put(keyValues[i], keyValues[i + 1]);
        }
        return new Case(param, q);
    }

    private static String query(Map<String, String> q) {
        StringBuilder s = new StringBuilder();
        q.forEach((k, v) -> s.append(s.length() == 0 ? "" : "&").append(k).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return s.toString();
    }

    private static Set<String> brokerGroups() throws Exception {
        return TestBroker.get().admin().getAllSubscriptionGroup(TestBroker.get().brokerAddr(), 5_000)
            .getSubscriptionGroupTable().keySet();
    }

    @Test
    void everyBadInput_is400NamingTheParameter_andChangesNothing() throws Exception {
        main.produce(client, "held");
        main.produce(client, "behind");
        other.produce(client, "other held");
        other.produce(client, "other behind");
        awaitStored(main.topic(), 2);
        awaitStored(other.topic(), 2);

        // Queue-held groups: while a batch is unacked its queue gives nothing more, which shows at once
        // whether a bad call acked or released it.
        Consumer holder = main.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(holder.poll()))).containsExactly("held");
        String rid = holder.requestId();
        Consumer otherHolder = other.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(otherHolder.poll()))).containsExactly("other held");
        String otherRid = otherHolder.requestId();

        String t = main.topic();
        String g = main.group();
        char changed = rid.charAt(rid.length() / 2) == 'A' ? 'B' : 'A';
        String oneCharChanged = rid.substring(0, rid.length() / 2) + changed + rid.substring(rid.length() / 2 + 1);
        // The next base64url character: it may differ only in bits the last character does not use.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        String lastCharChanged = rid.substring(0, rid.length() - 1)
            + alphabet.charAt((alphabet.indexOf(rid.charAt(rid.length() - 1)) + 1) % 64);
        List<Case> cases = new ArrayList<>(List.of(
            bad("topic", "consumer", g, "requestId", rid),
            bad("topic", "topic", "", "consumer", g, "requestId", rid),
            bad("consumer", "topic", t, "requestId", rid),
            bad("consumer", "topic", t, "consumer", "", "requestId", rid),
            bad("consumer", "topic", t, "consumer", "nobody-" + t, "requestId", rid),
            bad("topic", "topic", other.topic(), "consumer", g, "requestId", rid),
            bad("topic", "topic", t + " x", "consumer", g, "requestId", rid),
            bad("topic", "topic", t + "#1", "consumer", g, "requestId", rid),
            bad("topic", "topic", "t".repeat(128), "consumer", g, "requestId", rid),
            bad("consumer", "topic", t, "consumer", g + "$", "requestId", rid),
            bad("consumer", "topic", t, "consumer", "消费者", "requestId", rid),
            bad("consumer", "topic", t, "consumer", "g".repeat(121), "requestId", rid),
            bad("maxPullSize", "topic", t, "consumer", g, "requestId", rid, "maxPullSize", "0"),
            bad("maxPullSize", "topic", t, "consumer", g, "requestId", rid, "maxPullSize", "129"),
            bad("maxPullSize", "topic", t, "consumer", g, "requestId", rid, "maxPullSize", "ten"),
            bad("consumeTimeout", "topic", t, "consumer", g, "requestId", rid, "consumeTimeout", "4"),
            bad("consumeTimeout", "topic", t, "consumer", g, "requestId", rid, "consumeTimeout", "0"),
            bad("consumeTimeout", "topic", t, "consumer", g, "requestId", rid, "consumeTimeout", "129601"),
            bad("pullTimeout", "topic", t, "consumer", g, "requestId", rid, "pullTimeout", "61"),
            bad("pullTimeout", "topic", t, "consumer", g, "requestId", rid, "pullTimeout", "-1"),
            bad("pop", "topic", t, "consumer", g, "requestId", rid, "pop", "true"),
            bad("pop", "topic", t, "consumer", g, "requestId", rid, "pop", "yes"),
            bad("useCookie", "topic", t, "consumer", g, "requestId", rid, "useCookie", "maybe"),
            bad("requestId", "topic", t, "consumer", g, "requestId", "garbage!"),
            bad("requestId", "topic", t, "consumer", g, "requestId", "bm90IGEgcmVxdWVzdElk"),
            bad("requestId", "topic", t, "consumer", g, "requestId", rid.substring(0, rid.length() - 6)),
            bad("requestId", "topic", t, "consumer", g, "requestId", rid.substring(0, rid.length() - 1)),
            bad("requestId", "topic", t, "consumer", g, "requestId", oneCharChanged),
            bad("requestId", "topic", t, "consumer", g, "requestId", lastCharChanged),
            bad("requestId", "topic", t, "consumer", g, "requestId", rid + "=="),
            bad("requestId", "topic", t, "consumer", g, "requestId", otherRid)));

        List<String> failures = new ArrayList<>();
        for (String path : PATHS) {
            List<Case> forPath = new ArrayList<>(cases);
            if (!path.equals("/mq/message")) {
                forPath.add(bad("requestId", "topic", t, "consumer", g));
                forPath.add(bad("requestId", "topic", t, "consumer", g, "requestId", ""));
            }
            if (path.equals("/mq/nack")) {
                forPath.add(bad("delay", "topic", t, "consumer", g, "requestId", rid, "delay", "-1"));
                forPath.add(bad("delay", "topic", t, "consumer", g, "requestId", rid, "delay", "soon"));
            }
            for (Case c : forPath) {
                ProxyClient.Reply reply = client.get(client.consumePort(), path + "?" + query(c.query()));
                if (reply.body() == null || reply.status() != 400 || reply.message() == null
                    || !reply.message().startsWith(c.param() + ":")) {
                    failures.add(path + " " + c.query() + " -> " + reply.raw().body());
                }
            }
        }
        assertThat(failures).as("each answered 400 naming its parameter").isEmpty();

        // The same rules whichever way parameters come: form body and JSON body.
        assertBadParam(client.postForm(client.consumePort(), "/mq/message",
            Map.of("topic", t, "consumer", g, "requestId", rid, "maxPullSize", "0")), "maxPullSize");
        assertBadParam(client.postJson(client.consumePort(), "/mq/message",
            "{\"topic\":\"" + t + "\",\"consumer\":\"" + g + "\",\"requestId\":\"" + rid + "\",\"pullTimeout\":61}"),
            "pullTimeout");
        assertBadParam(client.postJson(client.consumePort(), "/mq/ack",
            "{\"topic\":\"" + t + "\",\"consumer\":\"" + g + "\",\"requestId\":\"" + otherRid + "\"}"), "requestId");

        // Nothing changed: both batches are still reserved, so their queues still give nothing...
        assertThat(resultStatus(main.consumer(client).poll())).as("main's batch still unacked").isEqualTo("NO_NEW_MSG");
        assertThat(resultStatus(other.consumer(client).poll())).as("other's batch still unacked")
            .isEqualTo("NO_NEW_MSG");
        // ...no group was created at the broker for a name that was refused...
        assertThat(brokerGroups()).doesNotContain("nobody-" + t, g + "$");
        // ...and the requestIds still ack their batches, in time: the queues move on.
        ProxyClient.Reply next = holder.poll();
        assertThat(next.result().path("previousAck").asText()).isEqualTo("OK");
        assertThat(bodies(messages(next))).containsExactly("behind");
        ProxyClient.Reply otherNext = otherHolder.poll();
        assertThat(otherNext.result().path("previousAck").asText()).isEqualTo("OK");
        assertThat(bodies(messages(otherNext))).containsExactly("other behind");
        ok(holder.call("/mq/ack"));
        ok(otherHolder.call("/mq/ack"));
    }
}
