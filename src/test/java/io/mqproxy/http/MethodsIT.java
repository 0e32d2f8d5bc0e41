package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.RawHttp;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP's rules for methods: a wrong method on a known path is a 405 that says which methods are allowed
 * (header and envelope), HEAD on the probes answers like GET without a body, an unknown path stays a 404.
 */
class MethodsIT {
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void startProxy() {
        String topic = TestBroker.get().newTopic("methods", 1);
        proxy = TestProxy.builder().producer("methods-producer", topic).start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    private static Reply send(int port, String method, String path) {
        return client.send(HttpRequest.newBuilder(client.uri(port, path))
            .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static Set<String> allowHeader(Reply reply) {
        return Arrays.stream(reply.raw().headers().firstValue("Allow").orElse("").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertMethodNotAllowed(Reply reply, String what, String... allowed) {
        assertThat(reply.httpStatus()).as("%s: %s", what, reply.raw().body()).isEqualTo(405);
        assertThat(allowHeader(reply)).as("Allow of %s", what).containsExactlyInAnyOrder(allowed);
        assertThat(reply.status()).as("envelope of %s", what).isEqualTo(405);
        for (String method : allowed) {
            assertThat(reply.message()).as("envelope of %s names the allowed methods", what).contains(method);
        }
    }

    @Test
    void wrongMethodOnProduce_is405_allowingPost() {
        for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
            assertMethodNotAllowed(send(client.producePort(), method, "/mq/produce"), method + " /mq/produce", "POST");
            assertMethodNotAllowed(send(client.producePort(), method, "/mq/produce/batch"),
                method + " /mq/produce/batch", "POST");
        }
    }

    @Test
    void wrongMethodOnConsumeRoutes_is405_allowingGetAndPost() {
        for (String path : new String[] {"/mq/message", "/mq/ack", "/mq/unlock", "/mq/nack"}) {
            assertMethodNotAllowed(send(client.consumePort(), "DELETE", path), "DELETE " + path, "GET", "POST");
            assertMethodNotAllowed(send(client.consumePort(), "PUT", path), "PUT " + path, "GET", "POST");
        }
    }

    @Test
    void wrongMethodOnProbes_is405_onEveryPort() {
        for (int port : new int[] {client.producePort(), client.consumePort(), client.adminPort()}) {
            assertMethodNotAllowed(send(port, "POST", "/health"), "POST /health on " + port, "GET", "HEAD");
            assertMethodNotAllowed(send(port, "DELETE", "/ready"), "DELETE /ready on " + port, "GET", "HEAD");
        }
        assertMethodNotAllowed(send(client.adminPort(), "POST", "/metrics"), "POST /metrics", "GET");
    }

    @Test
    void headOnHealthAndReady_answersLikeGet_withoutABody_onEveryPort() {
        for (int port : new int[] {client.producePort(), client.consumePort(), client.adminPort()}) {
            for (String path : new String[] {"/health", "/ready"}) {
                Reply get = client.get(port, path);
                try (RawHttp http = RawHttp.connect(port)) {
                    http.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    RawHttp.Response head = http.readHead(Duration.ofSeconds(20));
                    String what = "HEAD " + path + " on " + port;
                    assertThat(head).as(what).isNotNull();
                    assertThat(head.httpStatus()).as(what).isEqualTo(get.httpStatus());
                    assertThat(head.header("Content-Type")).as(what).startsWith("application/json");
                    assertThat(http.unreadBytes(Duration.ofMillis(500))).as("body bytes after %s", what).isZero();
                }
            }
        }
    }

    @Test
    void unknownPath_isStillA404Envelope() {
        Reply reply = send(client.producePort(), "DELETE", "/mq/nothing-here");
        assertThat(reply.httpStatus()).isEqualTo(404);
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.message()).contains("/mq/nothing-here");
    }

    /** A known path of the other data port is unknown here: production routes are not on the consume port. */
    @Test
    void produceRouteOnTheConsumePort_isA404() {
        Reply reply = send(client.consumePort(), "POST", "/mq/produce");
        assertThat(reply.httpStatus()).isEqualTo(404);
        assertThat(reply.status()).isEqualTo(404);
    }
}
