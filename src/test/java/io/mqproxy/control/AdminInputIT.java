package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 6 and the admin bodies: a setting the control plane accepts never breaks a group (a value
 * out of what the proxy can use is a 400 naming it, and the group's polls stay 200), and an admin JSON body is
 * bounded (keys, depth), strict (no duplicate keys, no strings for numbers, no scalars for lists) and refused
 * fast without blocking the event loop.
 */
class AdminInputIT {
    private static final String TOKEN = "input-operator-token-0123456789";
    private static final String GROUP = "input-group";
    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("admin-input", 1);
        proxy = TestProxy.builder().operator("ops", TOKEN).producer("input-producer", topic)
            .consumer(GROUP, topic, Map.of("pop", true)).start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static Reply admin(String method, String path, String json) {
        return client.admin(method, path, TOKEN, json);
    }

    private static void assertRefused(Reply reply, String field) {
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(400);
        assertThat(reply.message()).as(reply.raw().body()).startsWith(field + ":");
    }

    /** The group still serves its clients: a poll answers 200. */
    private static void assertUsable() {
        Reply poll = new Consumer(client, topic, GROUP).with("pullTimeout", "0").poll();
        assertThat(poll.httpStatus()).as("a poll of the group: %s", poll.raw().body()).isEqualTo(200);
        assertThat(poll.status()).as("a poll of the group: %s", poll.raw().body()).isEqualTo(200);
    }

    @Test
    void aRateLimitPastWhatTheLimiterTakes_isRefused_andTheGroupKeepsServing() {
        Reply original = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), "/mq/consumer/config"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("consumer", GROUP,
                "rateLimitEnabled", "1", "limitRate", "1000000001")))));
        assertRefused(original, "limitRate");
        assertUsable();

        assertRefused(admin("PATCH", "/admin/groups/" + GROUP, "{\"rateLimit\":2147483647}"), "rateLimit");
        assertUsable();

        // The largest rate accepted works.
        Reply most = admin("PATCH", "/admin/groups/" + GROUP, "{\"rateLimit\":1000000}");
        assertThat(most.httpStatus()).as(most.raw().body()).isEqualTo(200);
        assertUsable();
        assertThat(admin("PATCH", "/admin/groups/" + GROUP, "{\"rateLimit\":0}").httpStatus()).isEqualTo(200);
    }

    @Test
    void aResetToATimeBeyondEpochMilliseconds_isA400NamingTo() {
        assertRefused(admin("POST", "/admin/groups/" + GROUP + "/reset", "{\"to\":\"+999999999-12-31T23:59:59Z\"}"),
            "to");
        assertRefused(admin("POST", "/admin/groups/" + GROUP + "/reset", "{\"to\":\"99999999999999999\"}"), "to");
        assertRefused(admin("GET", "/admin/messages?topic=" + topic + "&since=%2B999999999-12-31T23:59:59Z", null),
            "since");
        assertUsable();
    }

    @Test
    void aBodyOfManyUnknownKeys_isRefusedAtOnce_withoutBlockingTheEventLoop() {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 300_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        json.append('}');
        try (LogCapture log = LogCapture.attach()) {
            for (int i = 0; i < 3; i++) {
                Reply reply = admin("PATCH", "/admin/groups/" + GROUP, json.toString());
                assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(400);
                assertThat(reply.message()).contains("request body");
            }
            assertThat(admin("GET", "/admin/groups", null).httpStatus()).isEqualTo(200);
            assertThat(log.warnings()).as("warnings").noneMatch(w -> w.contains("Thread blocked"));
        }
    }

    @Test
    void aDeepBody_isA400() {
        String deep = "{\"maxPullSize\":" + "[".repeat(100) + "]".repeat(100) + "}";
        Reply reply = admin("PATCH", "/admin/groups/" + GROUP, deep);
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(400);
        assertThat(reply.message()).contains("deep");
    }

    @Test
    void aDuplicateKey_isA400NamingIt_notLastOneWins() {
        assertRefused(admin("PATCH", "/admin/groups/" + GROUP, "{\"maxPullSize\":5,\"maxPullSize\":7}"),
            "maxPullSize");
        assertThat(admin("GET", "/admin/groups/" + GROUP, null).result().path("group").path("maxPullSize").asInt())
            .isNotEqualTo(7);
    }

    @Test
    void aStringForANumber_andAScalarForAList_are400sNamingTheField() {
        assertRefused(admin("PATCH", "/admin/groups/" + GROUP, "{\"maxPullSize\":\"5\"}"), "maxPullSize");
        assertRefused(admin("PATCH", "/admin/groups/" + GROUP, "{\"maxPullSize\":5.5}"), "maxPullSize");
        assertRefused(admin("POST", "/admin/topics", "{\"name\":\"input-t\",\"queues\":\"2\"}"), "queues");
        assertRefused(admin("POST", "/admin/groups/" + GROUP + "/dlq/redrive", "{\"messageIds\":\"abc\"}"),
            "messageIds");
        assertRefused(admin("POST", "/admin/credentials", "{\"id\":\"input-cred\",\"producers\":\"input-producer\"}"),
            "producers");
        assertRefused(admin("POST", "/admin/credentials", "{\"id\":\"input-cred\",\"producers\":[[\"x\"]]}"),
            "producers");
        assertRefused(admin("POST", "/admin/groups/" + GROUP + "/redeliver", "{\"messageId\":[\"a\",\"b\"]}"),
            "messageId");
        // The same values as form parameters are text, as the original routes' clients send them.
        Reply form = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), "/admin/groups/" + GROUP))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .method("PATCH", HttpRequest.BodyPublishers.ofString("maxPullSize=6")));
        assertThat(form.httpStatus()).as(form.raw().body()).isEqualTo(200);
        assertThat(form.result().path("maxPullSize").asInt()).isEqualTo(6);
    }

    @Test
    void aWrongMethodOnARouteWithAPathParameter_is405_listingItsMethods() {
        Reply reply = admin("PUT", "/admin/groups/" + GROUP, null);
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(405);
        assertThat(reply.raw().headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow)
            .contains("GET").contains("PATCH").contains("DELETE"));
        assertThat(reply.message()).contains("PATCH");
        Reply push = admin("POST", "/admin/groups/" + GROUP + "/push", "{}");
        assertThat(push.httpStatus()).as(push.raw().body()).isEqualTo(405);
        assertThat(push.raw().headers().firstValue("Allow")).hasValue("DELETE, PUT");
    }
}
