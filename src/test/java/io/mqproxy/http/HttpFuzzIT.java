package io.mqproxy.http;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.http.FuzzProbes.Port;
import io.mqproxy.http.FuzzProbes.Probe;
import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.RawHttp;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests over every endpoint, seeded and bounded (a few thousand, well under a minute): bad escapes,
 * broken UTF-8, wrong types, duplicates, huge values, bad chunking, deep JSON, announced bodies that never
 * come, wrong methods and paths, odd origins. Whatever comes, the proxy answers (or closes where the client
 * hung up first) with no 500, in the envelope (or the code HTTP requires for malformed HTTP); a request it
 * refuses leaves the broker's offsets as they were; and it logs no stack trace.
 *
 * <p>The seed is printed; {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.probes=N} sets its length.
 */
class HttpFuzzIT {
    private static final long SEED = Long.getLong("fuzz.seed", 20_261_202L);
    private static final int PROBES = Integer.getInteger("fuzz.probes", 2_000);
    private static final Duration ANSWER = Duration.ofSeconds(20);
    private static final int MAX_BODY = 256 * 1024;
    private static final String PRODUCER = "fuzz-producer";
    private static final String CONSUMER = "fuzz-consumer";
    private static String topic;
    private static TestProxy proxy;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("fuzz", 2);
        proxy = TestProxy.builder().producer(PRODUCER, topic).consumer(CONSUMER, topic, Map.of())
            .set("http.maxBodyBytes", Integer.toString(MAX_BODY))
            .set("http.requestBodyTimeoutSeconds", "1").start();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    /** A requestId the broker really issued, so that acks, unlocks and nacks get past the signature too. */
    private static String liveRequestId() {
        ProxyClient client = proxy.client();
        for (int i = 0; i < 3; i++) {
            assertThat(client.produce(form("producer", PRODUCER, "message", "seed " + i)).status()).isEqualTo(200);
        }
        ProxyClient.Reply poll = client.get(client.consumePort(),
            "/mq/message?topic=" + topic + "&consumer=" + CONSUMER + "&requestId=");
        assertThat(poll.status()).as(poll.raw().body()).isEqualTo(200);
        String id = poll.result().path("requestId").asText("");
        return id.isEmpty() ? "AQAAAA" : id;
    }

    @Test
    void hostileRequests_getNo500_changeNothingWhenRefused_andLogNoStackTrace() throws Exception {
        System.out.println("HttpFuzzIT seed=" + SEED + " probes=" + PROBES + " (replay with -Dfuzz.seed=" + SEED + ")");
        FuzzProbes probes = new FuzzProbes(SEED, PRODUCER, topic, CONSUMER, liveRequestId());
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        try (LogCapture log = LogCapture.attach()) {
            List<CompletableFuture<String>> missingBodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int announced = 1_000 + 50_000 * i;
                missingBodies.add(CompletableFuture.supplyAsync(() -> announcedBodyThatNeverComes(announced)));
            }

            BrokerSnapshot last = BrokerSnapshot.of(topic);
            for (int i = 0; i < PROBES; i++) {
                Probe probe = probes.next();
                RawHttp.Response answer;
                try {
                    answer = send(probe);
                } catch (AssertionError noAnswer) {
                    failures.add(probe.describe() + " -> " + noAnswer.getMessage());
                    continue;
                }
                String verdict = check(probe, answer);
                String outcome = answer == null ? "closed" : answer.httpStatus() + "/" + answer.status();
                outcomes.merge(probe.kind() + " " + outcome, 1, Integer::sum);
                if (verdict != null) {
                    failures.add(probe.describe() + " -> " + verdict);
                }
                if (probe.port() == Port.PRODUCE) {
                    BrokerSnapshot now = BrokerSnapshot.of(topic);
                    if (accepted(probe, answer)) {
                        now = settled(last, now);
                    } else if (!now.equals(last)) {
                        failures.add(probe.describe() + " -> refused (" + outcome + ") but the broker changed: "
                            + last + " -> " + now);
                    }
                    last = now;
                }
                if (failures.size() >= 25) {
                    break;
                }
            }
            for (CompletableFuture<String> missing : missingBodies) {
                String verdict = missing.get();
                if (verdict != null) {
                    failures.add("announced body never sent -> " + verdict);
                }
            }
            System.out.println("HttpFuzzIT outcomes (kind HTTP/envelope): " + outcomes);
            System.out.println("HttpFuzzIT warnings logged: " + log.warnings().size()
                + (log.warnings().isEmpty() ? "" : ", first: " + log.warnings().get(0)));
            assertThat(failures).as("seed %s: probes answered wrongly", SEED).isEmpty();
            assertThat(log.stackTraces()).as("seed %s: stack traces logged", SEED).isEmpty();
        }
    }

    private static RawHttp.Response send(Probe probe) {
        int port = switch (probe.port()) {
            case PRODUCE -> proxy.config().http().producePort();
            case CONSUME -> proxy.config().http().consumePort();
            case ADMIN -> proxy.config().admin().port();
        };
        try (RawHttp http = RawHttp.connect(port)) {
            http.send(probe.bytes());
            if (probe.halfClose()) {
                http.shutdownOutput();
            }
            return probe.method().equals("HEAD") ? http.readHead(ANSWER) : http.read(ANSWER);
        }
    }

    /** Null when the answer is right for the probe, else what is wrong with it. */
    private static String check(Probe probe, RawHttp.Response answer) {
        if (answer == null) {
            return probe.halfClose() ? null : "closed without an answer";
        }
        int http = answer.httpStatus();
        boolean versionRefused = probe.rawFraming() && http == 505; // what HTTP requires for an unknown version
        if (http >= 500 && !versionRefused) {
            return "HTTP " + http + ": " + answer.text();
        }
        if (probe.rawFraming() && answer.body().length == 0 && (http == 400 || http == 408 || http == 413
            || http == 414 || http == 431)) {
            return null;
        }
        boolean bodyless = probe.method().equals("HEAD") || http == 204 || http == 304;
        boolean notJson = http == 200 && (probe.path().equals("/metrics") || probe.path().equals("/openapi.yaml"))
            && (probe.method().equals("GET"));
        if (bodyless || notJson) {
            return null;
        }
        JsonNode envelope = answer.json();
        if (envelope == null || !envelope.path("status").isInt()) {
            return "HTTP " + http + " without an envelope: " + answer.text();
        }
        int status = envelope.path("status").asInt();
        if (status >= 500 && status != 503) {
            return "envelope " + status + ": " + answer.text();
        }
        if (status != 200 && status != 201 && !envelope.path("message").isTextual()) {
            return "envelope " + status + " without a message: " + answer.text();
        }
        return null;
    }

    /**
     * What the broker holds once an accepted request's messages show: its consume queues count a message a
     * moment after the send returns (sooner or later on a busy machine), and a late one must not be blamed on
     * the next request. Waits for a change, then for two equal readings.
     */
    private static BrokerSnapshot settled(BrokerSnapshot before, BrokerSnapshot now) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (now.equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = BrokerSnapshot.of(topic);
        }
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            BrokerSnapshot again = BrokerSnapshot.of(topic);
            if (again.equals(now)) {
                return again;
            }
            now = again;
        }
        return now;
    }

    /** Whether the answer says something may have been stored (so the broker may have changed). */
    private static boolean accepted(Probe probe, RawHttp.Response answer) {
        boolean produceRoute = probe.path().equals("/mq/produce") || probe.path().equals("/mq/produce/batch");
        if (answer == null || !produceRoute) {
            return false;
        }
        int status = answer.status();
        if (status == 200 || status == 201 || status == 300) {
            return true;
        }
        // A batch that failed in part says so per message: some of it may be stored.
        JsonNode envelope = answer.json();
        return probe.path().equals("/mq/produce/batch") && envelope != null && envelope.path("result").isArray();
    }

    /** A body announced and never sent, part of it or none: answered 408 once the body time-out passes, then closed. */
    private static String announcedBodyThatNeverComes(int announced) {
        try (RawHttp http = RawHttp.connect(proxy.config().http().producePort())) {
            http.send("POST /mq/produce HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + announced + "\r\n\r\nproducer=" + PRODUCER);
            RawHttp.Response answer = http.read(ANSWER);
            if (answer == null) {
                return "closed without an answer";
            }
            if (answer.status() != 408) {
                return "answered " + answer.httpStatus() + "/" + answer.text();
            }
            return http.closedWithin(ANSWER) ? null : "answered 408 but left open";
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }
}
