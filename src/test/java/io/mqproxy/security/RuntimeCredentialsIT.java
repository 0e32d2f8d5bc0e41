package io.mqproxy.security;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credentials issued through the control plane: the secret is answered once, works on every instance
 * within a bound, is never listed or audited, expires when told to, and is refused once revoked.
 */
class RuntimeCredentialsIT {
    private static final String TOKEN = "cred-operator-token-0123";
    private static final Duration SPREAD = Duration.ofSeconds(10);
    private static String topic;
    private static TestProxy a;
    private static TestProxy b;
    /** An instance whose clock is an hour ahead: a credential expiring within the hour has expired there. */
    private static TestProxy later;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("rt-cred", 1);
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN).producer("rt-cred-p", topic)
            .set("security.requireCredentials", "true");
        a = builder.start();
        b = builder.start();
        later = builder.clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).start();
    }

    @AfterAll
    static void stop() {
        for (TestProxy p : new TestProxy[] {a, b, later}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static int produce(TestProxy proxy, String secret) {
        return produceReply(proxy, secret).status();
    }

    private static Reply produceReply(TestProxy proxy, String secret) {
        ProxyClient c = proxy.client();
        return c.send(HttpRequest.newBuilder(c.uri(c.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Bearer " + secret)
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("producer", "rt-cred-p", "message",
                "x")))));
    }

    @Test
    void anIssuedCredential_worksOnEveryInstance_isNeverShownAgain_andStopsWhenRevoked() {
        Reply issued = a.client().admin("POST", "/admin/credentials", TOKEN,
            "{\"id\":\"team-x\",\"producers\":[\"rt-cred-p\"]}");
        assertThat(issued.httpStatus()).as(issued.raw().body()).isEqualTo(200);
        String secret = issued.result().path("secret").asText();
        assertThat(secret).hasSizeGreaterThan(30);

        assertThat(produce(a, secret)).isEqualTo(200);
        await().atMost(SPREAD).until(() -> produce(b, secret) == 200);

        Reply listed = b.client().admin("GET", "/admin/credentials", TOKEN, null);
        assertThat(listed.raw().body()).contains("team-x").doesNotContain(secret);
        Reply audit = a.client().admin("GET", "/admin/audit?target=team-x", TOKEN, null);
        assertThat(audit.raw().body()).contains("issue-credential").doesNotContain(secret);

        Reply again = a.client().admin("POST", "/admin/credentials", TOKEN,
            "{\"id\":\"team-x\",\"producers\":[\"rt-cred-p\"]}");
        assertThat(again.httpStatus()).isEqualTo(400);
        assertThat(again.message()).startsWith("id:");

        assertThat(b.client().admin("DELETE", "/admin/credentials/team-x", TOKEN, null).httpStatus()).isEqualTo(200);
        assertThat(produce(b, secret)).isEqualTo(401);
        await().atMost(SPREAD).until(() -> produce(a, secret) == 401);
    }

    @Test
    void aCredentialPastItsExpiry_isRefused() {
        long expires = System.currentTimeMillis() + 60_000;
        Reply issued = a.client().admin("POST", "/admin/credentials", TOKEN,
            "{\"id\":\"short-lived\",\"producers\":[\"rt-cred-p\"],\"expiresAt\":" + expires + "}");
        assertThat(issued.httpStatus()).as(issued.raw().body()).isEqualTo(200);
        String secret = issued.result().path("secret").asText();
        assertThat(produce(a, secret)).isEqualTo(200);
        // Past its expiry for the instance an hour ahead (no waiting), once the credential has reached it.
        await().atMost(SPREAD).until(() -> produceReply(later, secret).message().contains("has expired"));
        assertThat(produceReply(later, secret).status()).isEqualTo(401);
        assertThat(produce(a, secret)).as("still valid now").isEqualTo(200);
    }

    @Test
    void badRequests_nameTheField() {
        Reply unknownProducer = a.client().admin("POST", "/admin/credentials", TOKEN,
            "{\"id\":\"bad\",\"producers\":[\"nobody\"]}");
        assertThat(unknownProducer.httpStatus()).isEqualTo(400);
        assertThat(unknownProducer.message()).startsWith("producers:");
        Reply nothingGranted = a.client().admin("POST", "/admin/credentials", TOKEN, "{\"id\":\"bad\"}");
        assertThat(nothingGranted.httpStatus()).isEqualTo(400);
        Reply badId = a.client().admin("POST", "/admin/credentials", TOKEN,
            "{\"id\":\"bad id!\",\"producers\":[\"rt-cred-p\"]}");
        assertThat(badId.message()).startsWith("id:");
        assertThat(a.client().admin("DELETE", "/admin/credentials/never-issued", TOKEN, null).httpStatus())
            .isEqualTo(404);
    }
}
