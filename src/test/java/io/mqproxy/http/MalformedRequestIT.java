package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.RawHttp;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client's malformed request is that client's problem: it gets a 400 envelope (or the code HTTP requires),
 * nothing reaches the broker, and the proxy's log gets no stack trace for it.
 */
class MalformedRequestIT {
    private static final Duration ANSWER = Duration.ofSeconds(20);
    private static final String PRODUCER = "malformed-producer";
    private static final String CONSUMER = "malformed-consumer";
    private static String topic;
    private static TestProxy proxy;
    private LogCapture log;
    private BrokerSnapshot before;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("malformed", 2);
        proxy = TestProxy.builder().producer(PRODUCER, topic).consumer(CONSUMER, topic, Map.of()).start();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @BeforeEach
    void watch() {
        log = LogCapture.attach();
        before = BrokerSnapshot.of(topic);
    }

    @AfterEach
    void nothingLoggedNothingStored() {
        log.close();
        assertThat(log.stackTraces()).as("stack traces logged for a client's bad request").isEmpty();
        before.assertNothingStored();
    }

    private record Target(int port, String method, String path, boolean dataRoute) {
    }

    /** Every route of every port, each with a query whose parameter has a broken percent-escape. */
    private static List<Target> everyRoute() {
        int produce = proxy.config().http().producePort();
        int consume = proxy.config().http().consumePort();
        int admin = proxy.config().admin().port();
        List<Target> all = new ArrayList<>();
        all.add(new Target(produce, "POST", "/mq/produce", true));
        all.add(new Target(produce, "POST", "/mq/produce/batch", true));
        for (String path : new String[] {"/mq/message", "/mq/ack", "/mq/unlock", "/mq/nack"}) {
            all.add(new Target(consume, "GET", path, true));
            all.add(new Target(consume, "POST", path, true));
        }
        for (int port : new int[] {produce, consume, admin}) {
            for (String path : new String[] {"/health", "/ready", "/openapi.yaml"}) {
                all.add(new Target(port, "GET", path, false));
            }
        }
        all.add(new Target(admin, "GET", "/metrics", false));
        return all;
    }

    @Test
    void brokenPercentEscapeInTheQuery_isA400NamingTheParameter_onEveryRouteOfEveryPort() {
        for (Target t : everyRoute()) {
            for (String query : new String[] {"topic=T&consumer=G&requestId=%", "producer=" + PRODUCER + "&message=%zz",
                "requestId=%e"}) {
                try (RawHttp http = RawHttp.connect(t.port())) {
                    http.send(t.method() + " " + t.path() + "?" + query + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 0\r\n\r\n");
                    RawHttp.Response r = http.read(ANSWER);
                    String what = t.method() + " " + t.path() + "?" + query + " on port " + t.port();
                    assertThat(r).as(what).isNotNull();
                    assertThat(r.status()).as("%s: %s", what, r.text()).isEqualTo(400);
                    assertThat(r.message()).as(what).contains("query string");
                    assertThat(r.httpStatus()).as("HTTP code of %s (the contract's routes answer 200)", what)
                        .isEqualTo(t.dataRoute() ? 200 : 400);
                }
            }
        }
    }

    @Test
    void brokenPercentEscapeInTheQuery_namesTheParameter() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().consumePort())) {
            http.send("GET /mq/message?topic=" + topic + "&consumer=" + CONSUMER + "&requestId=% HTTP/1.1\r\n"
                + "Host: x\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.message()).contains("requestId");
        }
    }

    @Test
    void badChunkSize_isA400Envelope_andTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nproducer=" + PRODUCER + "\r\n0\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r).as("an answer before the close").isNotNull();
            assertThat(r.httpStatus()).isEqualTo(400);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(http.closedWithin(ANSWER)).isTrue();
        }
    }

    /** A chunk size that breaks off after a first good chunk: the body was being read when it broke. */
    @Test
    void badChunkAfterAGoodOne_isA400Envelope_andTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n\r\n5\r\nprodu\r\n");
            sleep(300);
            http.send("-3\r\nxyz\r\n0\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r).as("an answer before the close").isNotNull();
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(http.closedWithin(ANSWER)).isTrue();
        }
    }

    @Test
    void headerLargerThanTheDecoderTakes_is431WithAnEnvelope() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r.httpStatus()).isEqualTo(431);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(http.closedWithin(ANSWER)).isTrue();
        }
    }

    @Test
    void requestLineLongerThanTheDecoderTakes_is414WithAnEnvelope() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().consumePort())) {
            http.send("GET /mq/message?topic=" + "t".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r.httpStatus()).isEqualTo(414);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
        }
    }

    @Test
    void contentLengthNotANumber_isA400Envelope() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r.httpStatus()).isEqualTo(400);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
        }
    }

    @Test
    void garbageInsteadOfARequestLine_isA400Envelope() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().consumePort())) {
            http.send("\u0001\u0002 hello there\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r).isNotNull();
            assertThat(r.httpStatus()).isEqualTo(400);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
        }
    }

    /** The router cannot decode such a path to match it: the client's error, a 400, on every port. */
    @Test
    void brokenPercentEscapeInThePath_isA400Envelope() {
        for (int port : new int[] {proxy.config().http().producePort(), proxy.config().http().consumePort(),
            proxy.config().admin().port()}) {
            for (String method : new String[] {"GET", "POST", "DELETE"}) {
                try (RawHttp http = RawHttp.connect(port)) {
                    http.send(method + " /mq/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
                    RawHttp.Response r = http.read(ANSWER);
                    assertThat(r.httpStatus()).as("%s /mq/%%zz on %s: %s", method, port, r.text()).isEqualTo(400);
                    assertThat(r.status()).isEqualTo(400);
                }
            }
        }
    }

    @Test
    void unsupportedHttpVersion_is505WithAnEnvelope() {
        try (RawHttp http = RawHttp.connect(proxy.config().http().consumePort())) {
            http.send("GET /health HTTP/7.3\r\nHost: x\r\n\r\n");
            RawHttp.Response r = http.read(ANSWER);
            assertThat(r.httpStatus()).isEqualTo(505);
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(r.message()).contains("HTTP/7.3");
            assertThat(http.closedWithin(ANSWER)).isTrue();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
