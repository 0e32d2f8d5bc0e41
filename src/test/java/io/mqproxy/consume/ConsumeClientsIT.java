package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.awaitAllAcked;
import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static io.mqproxy.consume.ConsumeSupport.watchUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Clients as they exist: the seed's jQuery snippet, Python-style loops, the original's Java client. */
class ConsumeClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORIGIN = "http://app.example.com:8080";

    private static Lane jquery;
    private static Lane emptyFirst;
    private static Lane big;
    private static Lane cookie;
    private static Lane quick;
    private static Lane fields;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        jquery = Lane.create("client-jquery", 1);
        emptyFirst = Lane.create("client-empty", 2);
        big = Lane.create("client-big", 8);
        cookie = Lane.create("client-cookie", 1);
        quick = Lane.create("client-quick", 2);
        fields = Lane.create("client-fields", 2);
        TestProxy.Builder builder = TestProxy.builder();
        jquery.register(builder, settings());
        emptyFirst.register(builder, settings());
        // Concurrent: a queue-held pop locks every queue it touches, so a held batch may stop short of 128.
        big.register(builder, settings("pop", true, "consumeTimeoutSeconds", 5, "minConsumeTimeoutSeconds", 1));
        cookie.register(builder, settings());
        quick.register(builder, settings());
        fields.register(builder, settings("pop", true));
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** What jQuery's {@code $.ajax({type: "GET", data: param})} sends from a page on another origin. */
    private static HttpResponse<String> jqueryGet(HttpClient http, String path, Map<String, String> param) throws Exception {
        String query = param.entrySet().stream()
            .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8).replace("+", "%20") + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
            .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(client.uri(client.consumePort(), path + "?" + query))
                .header("Origin", ORIGIN)
                .header("Accept", "*/*")
                .timeout(Duration.ofSeconds(30))
                .GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void seedJquerySnippet_crossOrigin_handsRequestIdOver() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // var param = {topic: ..., consumer: ...}; success: param.requestId = data.result.requestId
        Map<String, String> param = new LinkedHashMap<>();
        param.put("topic", jquery.topic());
        param.put("consumer", jquery.group());
        List<String> got = new ArrayList<>();
        for (String body : List.of("{\"id\":11}", "{\"id\":12}", "{\"id\":13}")) {
            jquery.produce(client, body);
            // Queue-held: the next message comes only once the previous batch was acked by the hand-over.
            for (int attempt = 0; attempt < 50 && !got.contains(body); attempt++) {
                HttpResponse<String> response = jqueryGet(http, "/mq/message", param);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
                JsonNode data = JSON.readTree(response.body());
                assertThat(data.path("status").asInt()).as(response.body()).isEqualTo(200);
                param.put("requestId", data.path("result").path("requestId").asText());
                for (JsonNode m : data.path("result").path("msgList")) {
                    got.add(m.path("message").asText());
                }
                if (!got.contains(body)) {
                    Thread.sleep(100);
                }
            }
        }
        assertThat(got).containsExactly("{\"id\":11}", "{\"id\":12}", "{\"id\":13}");
        jqueryGet(http, "/mq/message", param);
        awaitAllAcked(jquery);

        // A page that posts JSON is pre-flighted; the pre-flight is allowed.
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(client.uri(client.consumePort(), "/mq/message"))
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(
            methods -> assertThat(methods).contains("GET", "POST"));
    }

    @Test
    void firstPollWithEmptyRequestId_isAccepted() {
        emptyFirst.produce(client, "first");
        String q = "topic=" + emptyFirst.topic() + "&consumer=" + emptyFirst.group();
        assertThat(resultStatus(client.get(client.consumePort(), "/mq/message?requestId=&" + q + "&pullTimeout=5")))
            .isEqualTo("FOUND");
        assertThat(ok(client.get(client.consumePort(), "/mq/message?" + q + "&maxPullSize=&requestId=")).status())
            .isEqualTo(200);
        assertThat(ok(client.postForm(client.consumePort(), "/mq/message",
            Map.of("topic", emptyFirst.topic(), "consumer", emptyFirst.group(), "requestId", ""))).status())
            .isEqualTo(200);
    }

    @Test
    void batchOf128_requestIdUnder4KiB_urlSafe_pastedUnencodedItAcks() {
        List<String> sent = IntStream.range(0, 130).mapToObj(i -> "big-" + i).toList();
        big.produceAll(client, sent, 10);
        awaitStored(big.topic(), sent.size());

        Consumer c = big.consumer(client).with("maxPullSize", "128").with("pullTimeout", "5");
        ProxyClient.Reply batch = c.poll();
        assertThat(batch.result().path("msgListSize").asInt()).isEqualTo(128);
        String requestId = batch.result().path("requestId").asText();
        assertThat(requestId).matches("^[A-Za-z0-9_-]+$");
        assertThat(requestId.length()).isLessThan(4096);

        // The test Consumer pastes the requestId into the query string as it is, unencoded.
        List<String> got = new ArrayList<>(bodies(messages(batch)));
        ProxyClient.Reply next = c.poll();
        assertThat(next.result().path("previousAck").asText()).isEqualTo("OK");
        got.addAll(bodies(messages(next)));
        for (int i = 0; i < 10 && got.size() < sent.size(); i++) {
            got.addAll(bodies(messages(c.poll())));
        }
        if (!c.requestId().isEmpty()) {
            ok(c.call("/mq/ack"));
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(sent);

        // Acked: none of the 130 comes back. A control taken after them and never acked shows when they would have.
        big.produce(client, "control");
        List<String> seen = watchUntil(big.consumer(client),
            bodies -> bodies.stream().filter("control"::equals).count() >= 2);
        assertThat(seen).as("only the control, delivered and redelivered").containsOnly("control");
    }

    @Test
    void useCookie_setsTheRequestIdCookie_andAPollSendingOnlyTheCookieAcks() throws Exception {
        cookie.produce(client, "c1");
        cookie.produce(client, "c2");
        awaitStored(cookie.topic(), 2);
        CookieManager jar = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(jar).build();
        URI uri = client.uri(client.consumePort(), "/mq/message?topic=" + cookie.topic() + "&consumer=" + cookie.group()
            + "&useCookie=true&maxPullSize=1&pullTimeout=5");

        HttpResponse<String> first = browser.send(HttpRequest.newBuilder(uri).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode firstResult = JSON.readTree(first.body()).path("result");
        assertThat(bodies(toList(firstResult.path("msgList")))).containsExactly("c1");
        String requestId = firstResult.path("requestId").asText();
        List<HttpCookie> setCookies = first.headers().allValues("Set-Cookie").stream()
            .flatMap(h -> HttpCookie.parse(h).stream()).toList();
        assertThat(setCookies).anySatisfy(k -> {
            assertThat(k.getName()).isEqualTo("mqproxy-requestId-" + cookie.group());
            assertThat(k.getValue()).isEqualTo(requestId);
        });

        // Same URL, no requestId parameter: the cookie carries it, acks c1, and c2 (behind it in the held queue) comes.
        HttpResponse<String> second = browser.send(HttpRequest.newBuilder(uri).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode secondResult = JSON.readTree(second.body()).path("result");
        assertThat(secondResult.path("previousAck").asText()).as(second.body()).isEqualTo("OK");
        assertThat(bodies(toList(secondResult.path("msgList")))).containsExactly("c2");

        // The last poll, again with only the cookie, acks c2.
        URI last = client.uri(client.consumePort(), "/mq/message?topic=" + cookie.topic() + "&consumer="
            + cookie.group() + "&useCookie=true");
        browser.send(HttpRequest.newBuilder(last).GET().build(), HttpResponse.BodyHandlers.ofString());
        awaitAllAcked(cookie);
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void clientWithOneSecondReadTimeout_andNoPullTimeout_getsItsAnswerInTime() throws Exception {
        // The original's own Java client gives up after 1 s; the default pullTimeout (0) answers at once.
        String url = "/mq/message?topic=" + quick.topic() + "&consumer=" + quick.group() + "&requestId=";
        ok(client.get(client.consumePort(), url)); // the proxy has looked the topic up once, as in service
        HttpClient original = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest poll = HttpRequest.newBuilder(client.uri(client.consumePort(), url))
            .timeout(Duration.ofSeconds(1)).GET().build();
        for (int i = 0; i < 3; i++) {
            JsonNode empty = JSON.readTree(original.send(poll, HttpResponse.BodyHandlers.ofString()).body());
            assertThat(empty.path("result").path("status").asText()).isEqualTo("NO_NEW_MSG");
        }
        quick.produce(client, "for the original client");
        awaitStored(quick.topic(), 1);
        JsonNode found = JSON.readTree(original.send(poll, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(found.path("result").path("status").asText()).isEqualTo("FOUND");
        assertThat(found.path("result").path("msgList").get(0).path("message").asText())
            .isEqualTo("for the original client");
    }

    @Test
    void messageFields_asProducedAndDelivered() {
        long before = System.currentTimeMillis();
        String msgId = fields.produce(client, "{\"id\":11}", "keys", "k1 k2", "tags", "tagA", "clientIp", "10.1.2.3");
        String plainId = fields.produce(client, "plain");
        long after = System.currentTimeMillis();
        awaitStored(fields.topic(), 2);

        Consumer c = fields.consumer(client).with("pullTimeout", "5");
        List<JsonNode> got = new ArrayList<>();
        for (int i = 0; i < 10 && got.size() < 2; i++) {
            ProxyClient.Reply reply = c.poll();
            assertThat(reply.result().path("retryMsgListSize").asInt()).isZero();
            assertThat(reply.result().path("msgListSize").asInt()).isEqualTo(reply.result().path("msgList").size());
            got.addAll(messages(reply));
        }
        assertThat(got).hasSize(2);
        JsonNode m = got.stream().filter(x -> x.path("messageId").asText().equals(msgId)).findFirst().orElseThrow();
        assertThat(m.path("message").asText()).isEqualTo("{\"id\":11}");
        assertThat(m.path("timestamp").asLong()).isBetween(before - 1_000, after + 1_000);
        assertThat(m.path("keys").asText()).isEqualTo("k1 k2");
        assertThat(m.path("tags").asText()).isEqualTo("tagA");
        assertThat(m.path("properties").path("clientIp").asText()).isEqualTo("10.1.2.3");
        assertThat(m.path("deliveryCount").asInt()).isEqualTo(1);

        JsonNode plain = got.stream().filter(x -> x.path("messageId").asText().equals(plainId)).findFirst().orElseThrow();
        assertThat(plain.path("message").asText()).isEqualTo("plain");
        assertThat(plain.path("properties").path("clientIp").asText()).as("the producing peer")
            .isEqualTo("127.0.0.1");
        assertThat(plain.path("deliveryCount").asInt()).isEqualTo(1);
        if (!c.requestId().isEmpty()) {
            ok(c.call("/mq/ack"));
        }
    }
}
