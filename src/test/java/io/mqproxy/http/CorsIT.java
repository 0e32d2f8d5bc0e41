package io.mqproxy.http;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's browser snippets call the proxy from other origins: the pre-flight a browser sends for a
 * JSON post, and the simple form post of {@code $.ajax({type:"POST", data: param})}, both succeed.
 */
class CorsIT {
    private static final String ORIGIN = "http://app.example.com:8000";
    private static final String PRODUCER = "cors-producer";
    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("cors", 2);
        proxy = TestProxy.builder().producer(PRODUCER, topic).start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    private static HttpRequest.Builder browser(String path) {
        return HttpRequest.newBuilder(client.uri(client.producePort(), path))
            .version(HttpClient.Version.HTTP_1_1)
            .header("Origin", ORIGIN);
    }

    @Test
    void preflightForPost_isAllowed_forTheCallingOrigin() {
        for (String path : new String[] {"/mq/produce", "/mq/produce/batch"}) {
            Reply reply = client.send(browser(path)
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(reply.httpStatus()).as("pre-flight of %s", path).isBetween(200, 204);
            var headers = reply.raw().headers();
            assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
            assertThat(headers.firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        }
    }

    /** What a browser sends before {@code $.ajax({contentType: "application/json", ...})}. */
    @Test
    void preflightForJsonPost_allowsTheContentTypeHeader() {
        Reply reply = client.send(browser("/mq/produce")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(reply.httpStatus()).isBetween(200, 204);
        assertThat(reply.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(reply.raw().headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
            .contains("content-type");
    }

    @Test
    void simpleCrossOriginFormPost_isServed_andEchoesTheOrigin() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        Reply reply = client.send(browser("/mq/produce")
            .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(
                form("producer", PRODUCER, "message", "http\u751f\u4ea7\u6d4b\u8bd5")))));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(reply.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before)))
            .containsExactly("http\u751f\u4ea7\u6d4b\u8bd5");
    }

    /** The snippet retries on any status but 200; it can only see the status if CORS lets it read the answer. */
    @Test
    void crossOriginBadInput_answerIsReadableByTheBrowser() {
        Reply reply = client.send(browser("/mq/produce")
            .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("producer", PRODUCER)))));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    }

    /**
     * Browser extensions, hybrid apps and sandboxed pages send origins that are not http(s) URLs; the contract
     * says any origin may call, so each gets the pre-flight and the simple request, its origin echoed.
     */
    @Test
    void nonHttpOrigins_getPreflightAndSimpleCors_withCredentials_onBothDataPorts() {
        String[] origins = {"chrome-extension://abcdefghijklmnopabcdefghijklmnop", "capacitor://localhost",
            "moz-extension://0d5b6a5e-1f4a-4c2b-9d7e-123456789abc", "null", "file://", "tauri://localhost",
            "ionic://localhost", "http://[::1]:8080"};
        for (String origin : origins) {
            for (int port : new int[] {client.producePort(), client.consumePort()}) {
                String path = port == client.producePort() ? "/mq/produce" : "/mq/message";
                Reply preflight = client.send(HttpRequest.newBuilder(client.uri(port, path))
                    .version(HttpClient.Version.HTTP_1_1)
                    .header("Origin", origin)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type,x-custom-header")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
                String what = "pre-flight from " + origin + " to " + path;
                assertThat(preflight.httpStatus()).as(what).isBetween(200, 204);
                var headers = preflight.raw().headers();
                assertThat(headers.firstValue("Access-Control-Allow-Origin")).as(what).hasValue(origin);
                assertThat(headers.firstValue("Access-Control-Allow-Credentials")).as(what).hasValue("true");
                assertThat(headers.firstValue("Access-Control-Allow-Methods").orElse("")).as(what).contains("POST");
                assertThat(headers.firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                    .as(what).contains("content-type").contains("x-custom-header");

                Reply simple = client.send(HttpRequest.newBuilder(client.uri(port, path))
                    .version(HttpClient.Version.HTTP_1_1)
                    .header("Origin", origin)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(port == client.producePort()
                        ? ProxyClient.encode(form("producer", PRODUCER)) : "topic=" + topic)));
                what = "simple request from " + origin + " to " + path;
                assertThat(simple.status()).as("%s: %s", what, simple.raw().body()).isEqualTo(400);
                assertThat(simple.raw().headers().firstValue("Access-Control-Allow-Origin")).as(what).hasValue(origin);
                assertThat(simple.raw().headers().firstValue("Access-Control-Allow-Credentials")).as(what)
                    .hasValue("true");
                assertThat(simple.raw().headers().allValues("Vary").toString().toLowerCase()).as(what)
                    .contains("origin");
            }
        }
    }

    @Test
    void configuredOrigins_onlyThoseGetCors_andTheAdminPortNever() {
        try (TestProxy limited = TestProxy.builder()
            .set("http.cors.allowedOrigins", "https://good.example, https://other.example")
            .set("http.cors.allowCredentials", "false")
            .start()) {
            ProxyClient c = limited.client();
            Reply good = c.send(HttpRequest.newBuilder(c.uri(c.consumePort(), "/health"))
                .header("Origin", "https://good.example").GET());
            assertThat(good.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://good.example");
            assertThat(good.raw().headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
            Reply evil = c.send(HttpRequest.newBuilder(c.uri(c.consumePort(), "/health"))
                .header("Origin", "https://evil.example").GET());
            assertThat(evil.raw().headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            Reply preflight = c.send(HttpRequest.newBuilder(c.uri(c.producePort(), "/mq/produce"))
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(preflight.raw().headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            for (String origin : new String[] {"https://good.example", "https://evil.example"}) {
                Reply admin = c.send(HttpRequest.newBuilder(c.uri(c.adminPort(), "/health"))
                    .header("Origin", origin).GET());
                assertThat(admin.raw().headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
            }
        }
    }
}
