package io.mqproxy.http;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.RawHttp;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a connection may cost: one that sends no complete request head within {@code http.idleTimeoutSeconds}
 * is closed, however it trickles; a body not complete within {@code http.requestBodyTimeoutSeconds} is
 * answered 408 and closed; bodies being read share {@code http.maxBodyBytesInFlight}, past which a request is
 * answered 503 and closed. A long poll, fully read and waiting for its answer, is cut by none of these.
 *
 * <p>The proxy under test has 2 s time-outs; the bounds asserted are generous, as the machine is shared.
 */
class ConnectionLimitsIT {
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    private static final String PRODUCER = "limits-producer";
    private static final String CONSUMER = "limits-consumer";
    private static final int BUDGET = 1024 * 1024;
    private static String topic;
    /** Nothing is ever produced here, so a poll waits its whole pullTimeout. */
    private static String emptyTopic;
    private static TestProxy shortTimeouts;
    private static TestProxy smallBudget;

    @BeforeAll
    static void startProxies() {
        topic = TestBroker.get().newTopic("limits", 1);
        emptyTopic = TestBroker.get().newTopic("limits-empty", 1);
        shortTimeouts = TestProxy.builder().producer(PRODUCER, topic)
            .consumer(CONSUMER, emptyTopic, Map.of("pop", true))
            .set("http.idleTimeoutSeconds", "2").set("http.requestBodyTimeoutSeconds", "2").start();
        smallBudget = TestProxy.builder().producer(PRODUCER, topic)
            .set("http.maxBodyBytes", Integer.toString(BUDGET))
            .set("http.maxBodyBytesInFlight", Integer.toString(BUDGET)).start();
    }

    @AfterAll
    static void stopProxies() {
        shortTimeouts.close();
        smallBudget.close();
    }

    @Test
    void freshConnectionThatSendsNothing_isClosed_onEveryPort() {
        for (int port : ports(shortTimeouts)) {
            try (RawHttp http = RawHttp.connect(port)) {
                assertThat(http.closedWithin(GENEROUS)).as("idle connection to port %s closed", port).isTrue();
            }
        }
    }

    /** A slow-header client: bytes keep coming, but never a whole request head, so it is closed all the same. */
    @Test
    void connectionSendingAHeaderByteEverySecond_isClosed() {
        try (RawHttp http = RawHttp.connect(shortTimeouts.config().http().consumePort())) {
            http.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            long deadline = System.nanoTime() + GENEROUS.toNanos();
            boolean closed = false;
            int sent = 0;
            while (!closed && System.nanoTime() < deadline) {
                http.send("a");
                sent++;
                closed = http.closedWithin(Duration.ofSeconds(1));
            }
            assertThat(closed).as("closed while trickling (%s bytes sent one a second)", sent).isTrue();
            // Two bytes a second apart span the 2 s idle time-out: the head was still arriving when it was closed.
            assertThat(sent).as("it kept sending up to the idle time-out").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void keptAliveConnection_isClosedWhenNoNextRequestComes() {
        try (RawHttp http = RawHttp.connect(shortTimeouts.config().http().producePort())) {
            http.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = http.read(GENEROUS);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(http.closedWithin(GENEROUS)).as("closed after its response, idle").isTrue();
        }
    }

    /** The 60-connection heap exhaustion of issue 7: an announced body that never comes costs nothing. */
    @Test
    void announcedBodyThatNeverComes_reservesNothing_andIsAnswered408AndClosed() {
        try (RawHttp http = RawHttp.connect(shortTimeouts.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 16000000\r\n\r\n");
            assertThat(reservedBodyBytes(shortTimeouts)).as("bytes reserved for a body of which none came").isZero();
            RawHttp.Response r = http.read(GENEROUS);
            assertThat(r).as("answered before the close").isNotNull();
            assertThat(r.status()).as(r.text()).isEqualTo(408);
            assertThat(r.message()).contains("request body");
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(http.closedWithin(GENEROUS)).isTrue();
        }
    }

    @Test
    void bodyTricklingInSlowerThanItsTimeout_isAnswered408AndClosed() {
        try (RawHttp http = RawHttp.connect(shortTimeouts.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 100\r\n\r\nproducer=");
            RawHttp.Response r = null;
            long deadline = System.nanoTime() + GENEROUS.toNanos();
            while (r == null && System.nanoTime() < deadline) {
                http.send("x");
                try {
                    r = http.read(Duration.ofMillis(500));
                } catch (AssertionError notYet) {
                    // nothing yet: send another byte
                }
            }
            assertThat(r).as("answered before the close").isNotNull();
            assertThat(r.status()).as(r.text()).isEqualTo(408);
            assertThat(http.closedWithin(GENEROUS)).isTrue();
        }
    }

    /** pullTimeout 5 s against 2 s time-outs: the request was read whole, so only the answer is awaited. */
    @Test
    void longPollLongerThanTheTimeouts_isAnswered_andItsConnectionServesTheNextRequest() {
        try (RawHttp http = RawHttp.connect(shortTimeouts.config().http().consumePort())) {
            String poll = "GET /mq/message?topic=" + emptyTopic + "&consumer=" + CONSUMER + "&pop=true&pullTimeout=5"
                + "&requestId= HTTP/1.1\r\nHost: x\r\n\r\n";
            http.send(poll);
            RawHttp.Response r = http.read(Duration.ofSeconds(60));
            assertThat(r).as("long poll answered").isNotNull();
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().path("result").path("status").asText()).isEqualTo("NO_NEW_MSG");
            http.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(http.read(GENEROUS).status()).as("same connection, next request").isEqualTo(200);
        }
        ProxyClient.Reply viaClient = shortTimeouts.client().get(shortTimeouts.config().http().consumePort(),
            "/mq/message?topic=" + emptyTopic + "&consumer=" + CONSUMER + "&pop=true&pullTimeout=5&requestId=");
        assertThat(viaClient.status()).as(viaClient.raw().body()).isEqualTo(200);
    }

    @Test
    void bodyPastTheGlobalBudget_is503AndClosed_andTheBudgetComesBack() {
        int port = smallBudget.config().http().producePort();
        String head = "POST /mq/produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n";
        String prefix = "producer=" + PRODUCER + "&message=";
        byte[] big = (prefix + "a".repeat(BUDGET - prefix.length())).getBytes(StandardCharsets.US_ASCII);
        try (RawHttp holder = RawHttp.connect(port)) {
            holder.send(head + "Content-Length: " + big.length + "\r\n\r\n");
            holder.send(java.util.Arrays.copyOf(big, big.length - 100));
            await("the held body's bytes reserved").atMost(GENEROUS)
                .until(() -> reservedBodyBytes(smallBudget) >= big.length - 100);

            String small = prefix + "b".repeat(900);
            try (RawHttp refused = RawHttp.connect(port)) {
                refused.send(head + "Content-Length: " + small.length() + "\r\n\r\n" + small);
                RawHttp.Response r = refused.read(GENEROUS);
                assertThat(r).as("answered before the close").isNotNull();
                assertThat(r.status()).as(r.text()).isEqualTo(503);
                assertThat(r.message()).contains("http.maxBodyBytesInFlight");
                assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
                assertThat(refused.closedWithin(GENEROUS)).isTrue();
            }

            holder.send(java.util.Arrays.copyOfRange(big, big.length - 100, big.length));
            RawHttp.Response held = holder.read(GENEROUS);
            assertThat(held.status()).as("the body within the budget is served: %s", held.text()).isEqualTo(200);
        }
        await("reservations released").atMost(GENEROUS).until(() -> reservedBodyBytes(smallBudget) == 0);
        assertThat(smallBudget.client().produce(form("producer", PRODUCER, "message", "b".repeat(900))).status())
            .as("served again once the budget is free").isEqualTo(200);
        assertThat(io.mqproxy.testing.MetricsScrape.parse(scrape(smallBudget))
            .value("mqproxy_overload_refusals_total", "bound", "bodyBytes")).isGreaterThanOrEqualTo(1.0);
    }

    private static int[] ports(TestProxy proxy) {
        return new int[] {proxy.config().http().producePort(), proxy.config().http().consumePort(),
            proxy.config().admin().port()};
    }

    private static String scrape(TestProxy proxy) {
        return proxy.client().get(proxy.config().admin().port(), "/metrics").raw().body();
    }

    private static long reservedBodyBytes(TestProxy proxy) {
        for (String line : scrape(proxy).split("\n")) {
            if (line.startsWith("mqproxy_http_body_reserved_bytes ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no mqproxy_http_body_reserved_bytes gauge");
    }
}
