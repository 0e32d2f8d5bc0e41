package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: 30 wrong operator tokens, then the right one, used to answer 200. Now the address waits
 * (429 with Retry-After), even with the right token, and the failures are audited, bounded. Both requests
 * come from 127.0.0.1 here: that other addresses keep working is LoginThrottleTest's, on a clock.
 * Each test has a proxy of its own: the throttle is per instance.
 */
class LoginThrottleIT {
    private static final String TOKEN = "throttle-token-0123456789abcdef";
    private TestProxy proxy;

    @BeforeEach
    void start() {
        proxy = TestProxy.builder().operator("ops", TOKEN).start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void thirtyWrongTokens_thenTheRightOne_is429WithRetryAfter_andTheFailuresAreAuditedBounded() {
        long began = System.currentTimeMillis() - 1;
        Reply first = proxy.client().admin("GET", "/admin/groups", "wrong-token-" + 0, null);
        assertThat(first.httpStatus()).isEqualTo(401);
        int throttled = 0;
        for (int i = 1; i < 30; i++) {
            int status = proxy.client().admin("GET", "/admin/groups", "wrong-token-" + i, null).httpStatus();
            assertThat(status).isIn(401, 429);
            throttled += status == 429 ? 1 : 0;
        }
        assertThat(throttled).isEqualTo(20);
        Reply right = proxy.client().admin("GET", "/admin/groups", TOKEN, null);
        assertThat(right.httpStatus()).isEqualTo(429);
        long retryAfter = Long.parseLong(right.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(right.message()).contains("too many failed operator logins");
        // The console's login is the same door.
        Reply console = proxy.client().send(HttpRequest.newBuilder(proxy.client().uri(proxy.client().adminPort(),
            "/console/api/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + TOKEN + "\"}")));
        assertThat(console.httpStatus()).isEqualTo(429);
        assertThat(console.raw().headers().firstValue("Retry-After")).isPresent();

        // Audited: two records for the address (the first failure, the one that throttled it), no operator.
        // Read through another instance: this one's address waits.
        TestProxy other = TestProxy.builder().operator("ops", TOKEN).start();
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Reply audit = other.client().admin("GET", "/admin/audit?limit=1000", TOKEN, null);
                assertThat(audit.httpStatus()).isEqualTo(200);
                java.util.List<String> mine = new java.util.ArrayList<>();
                for (JsonNode r : audit.result()) {
                    if (r.path("time").asLong() >= began && r.path("action").asText().equals("operator-login")
                        && r.path("result").asText().contains("GET /admin/groups")) {
                        assertThat(r.has("operator")).isFalse();
                        assertThat(r.path("source").asText()).isEqualTo("127.0.0.1");
                        assertThat(r.path("genuine").asBoolean()).isTrue();
                        mine.add(r.path("result").asText());
                    }
                }
                assertThat(mine).hasSize(2);
                assertThat(mine).anyMatch(r -> r.contains("10 failed logins within 60 s"));
            });
        } finally {
            other.close();
        }
    }
}
