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
}
