package io.mqproxy.metrics;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin port's Prometheus scrape counts productions, and health and readiness answer on a live broker. */
class MetricsIT {
    private static final String PRODUCER = "metrics-producer";
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void startProxy() {
        proxy = TestProxy.builder().producer(PRODUCER, TestBroker.get().newTopic("metrics", 2)).start();
        client = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    private static String scrape() {
        Reply reply = client.get(client.adminPort(), "/metrics");
        assertThat(reply.httpStatus()).isEqualTo(200);
        return reply.raw().body();
    }

    /** The value of the first sample of {@code name} whose labels contain every given {@code label="value"}. */
    private static double sample(String text, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            boolean all = true;
            for (String label : labels) {
                all &= m.group(1).contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    @Test
    void afterProductions_scrapeCountsMessagesByProducer_andRequestsByRoute() {
        for (int i = 0; i < 3; i++) {
            Reply ok = client.produce(form("producer", PRODUCER, "message", "counted " + i));
            assertThat(ok.status()).as(ok.raw().body()).isEqualTo(200);
        }
        assertThat(client.produce(form("producer", PRODUCER)).status()).isEqualTo(400);

        String text = scrape();
        assertThat(text).contains("mqproxy_produce_messages_total");
        assertThat(sample(text, "mqproxy_produce_messages_total", "producer=\"" + PRODUCER + "\""))
            .as(text).isEqualTo(3.0);
        assertThat(sample(text, "mqproxy_http_requests_seconds_count", "route=\"/mq/produce\"", "status=\"200\""))
            .as(text).isEqualTo(3.0);
        assertThat(sample(text, "mqproxy_http_requests_seconds_count", "route=\"/mq/produce\"", "status=\"400\""))
            .as(text).isEqualTo(1.0);
    }

    @Test
    void health_andReady_answer200_whenTheBrokerIsUp() {
        for (int port : new int[] {client.producePort(), client.adminPort()}) {
            Reply health = client.get(port, "/health");
            assertThat(health.httpStatus()).isEqualTo(200);
            assertThat(health.status()).isEqualTo(200);
            await("ready on port " + port).atMost(Duration.ofSeconds(30))
                .until(() -> client.get(port, "/ready").httpStatus() == 200);
        }
    }

    @Test
    void unknownPathOnAdminPort_isA404Envelope() {
        Reply reply = client.get(client.adminPort(), "/nope");
        assertThat(reply.httpStatus()).isEqualTo(404);
        assertThat(reply.status()).isEqualTo(404);
    }

    @Test
    void refusedRequestsToArbitraryPaths_areTaggedUnmatched_neverByTheirPath() {
        String path = "/random-" + System.nanoTime();
        // Over http.maxBodyBytes (16 MiB): refused from its Content-Length, before any route matches.
        Reply tooLarge = client.postJson(client.producePort(), path, "x".repeat(17 * 1024 * 1024));
        assertThat(tooLarge.status()).isEqualTo(413);
        Reply unknown = client.get(client.producePort(), path);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(scrape()).doesNotContain(path).contains("route=\"unmatched\"");
    }
}
