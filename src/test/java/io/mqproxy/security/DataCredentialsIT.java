package io.mqproxy.security;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data-plane credentials: nobody produces to or consumes from a group that is not theirs. Bearer tokens
 * and signed requests; 401 for no or a bad credential, 403 for another group's; the contract's clients
 * without credentials keep working while credentials are off.
 */
class DataCredentialsIT {
    private static final String SECRET_A = "team-a-secret-0123456789";
    private static final String SECRET_B = "team-b-secret-0123456789";
    private static String topicA;
    private static String topicB;
    private static TestProxy proxy;
    private static ProxyClient client;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        logs = LogCapture.attach(Level.INFO);
        topicA = TestBroker.get().newTopic("cred-a", 1);
        topicB = TestBroker.get().newTopic("cred-b", 1);
        proxy = TestProxy.builder()
            .producer("pa", topicA).producer("pb", topicB)
            .consumer("ga", topicA, Map.of("pop", true)).consumer("gb", topicB, Map.of("pop", true))
            .credential("team-a", SECRET_A, List.of("pa"), List.of("ga"))
            .credential("team-b", SECRET_B, List.of("pb"), List.of("gb"))
            .set("security.requireCredentials", "true")
            .set("security.signatureWindowSeconds", "60")
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static Reply produce(String producer, String body, String authorization) {
        HttpRequest.Builder r = HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("producer", producer, "message", body))));
        if (authorization != null && !authorization.isEmpty()) {
            r.header("Authorization", authorization);
        }
        return client.send(r);
    }

    private static Reply consume(String topic, String group, String authorization) {
        HttpRequest.Builder r = HttpRequest.newBuilder(client.uri(client.consumePort(), "/mq/message?topic=" + topic
            + "&consumer=" + group + "&requestId=&pullTimeout=1")).GET();
        if (authorization != null && !authorization.isEmpty()) {
            r.header("Authorization", authorization);
        }
        return client.send(r);
    }

    private static Reply signedProduce(String key, String secret, String producer, String body, long timestamp,
                                       String signatureOverride) {
        byte[] form = ProxyClient.encode(form("producer", producer, "message", body)).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(timestamp);
        String signature = signatureOverride != null ? signatureOverride : RequestSignature.sign(secret,
            RequestSignature.stringToSign("POST", "/mq/produce", null, form, ts));
        return client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(RequestSignature.KEY_HEADER, key)
            .header(RequestSignature.TIMESTAMP_HEADER, ts)
            .header(RequestSignature.SIGNATURE_HEADER, signature)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form)));
    }

    @Test
    void noCredential_orAWrongOne_is401_andNothingIsStored() {
        long before = StoredMessages.count(topicA);
        for (String authorization : new String[] {null, "Bearer wrong-secret-0123456789", "Basic dGVhbS1hOng="}) {
            Reply r = produce("pa", "refused", authorization);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.status()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(consume(topicA, "ga", authorization).status()).isEqualTo(401);
        }
        assertThat(StoredMessages.count(topicA)).isEqualTo(before);
    }

    @Test
    void theRightBearerToken_producesAndConsumes() {
        Reply sent = produce("pa", "by team a", "Bearer " + SECRET_A);
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        Reply got = consume(topicA, "ga", "Bearer " + SECRET_A);
        assertThat(got.status()).as(got.raw().body()).isEqualTo(200);
    }

    @Test
    void anotherGroupsCredential_is403_forProductionAndConsumption() {
        long before = StoredMessages.count(topicB);
        Reply produce = produce("pb", "not yours", "Bearer " + SECRET_A);
        assertThat(produce.status()).isEqualTo(403);
        assertThat(produce.message()).startsWith("producer:").contains("team-a").doesNotContain(SECRET_A);
        Reply consume = consume(topicB, "gb", "Bearer " + SECRET_A);
        assertThat(consume.status()).isEqualTo(403);
        assertThat(consume.message()).startsWith("consumer:");
        assertThat(StoredMessages.count(topicB)).isEqualTo(before);
    }

    @Test
    void signedRequests_valid_tampered_stale_and_replayed() {
        long now = System.currentTimeMillis();
        assertThat(signedProduce("team-b", SECRET_B, "pb", "signed", now, null).status()).isEqualTo(200);
        assertThat(signedProduce("team-b", SECRET_B, "pb", "tampered", now, "0".repeat(64)).status()).isEqualTo(401);
        assertThat(signedProduce("team-b", "not-the-secret-01234567", "pb", "wrong key", now, null).status())
            .isEqualTo(401);
        Reply stale = signedProduce("team-b", SECRET_B, "pb", "stale", now - 120_000, null);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.message()).contains("X-MQProxy-Timestamp");
        assertThat(signedProduce("nobody", SECRET_B, "pb", "unknown key", now, null).status()).isEqualTo(401);

        byte[] form = ProxyClient.encode(form("producer", "pb", "message", "once")).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(System.currentTimeMillis());
        String signature = RequestSignature.sign(SECRET_B, RequestSignature.stringToSign("POST", "/mq/produce", null,
            form, ts));
        assertThat(signedProduce("team-b", SECRET_B, "pb", "once", Long.parseLong(ts), signature).status())
            .isEqualTo(200);
        Reply replay = signedProduce("team-b", SECRET_B, "pb", "once", Long.parseLong(ts), signature);
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.message()).contains("already used");
        // A valid signature for another group's producer is still another group's.
        assertThat(signedProduce("team-b", SECRET_B, "pa", "not yours", System.currentTimeMillis(), null).status())
            .isEqualTo(403);
    }

    @Test
    void healthAndReadiness_stayOpen() {
        assertThat(client.get(client.producePort(), "/ready").httpStatus()).isEqualTo(200);
        assertThat(client.get(client.consumePort(), "/health").httpStatus()).isEqualTo(200);
    }

    @Test
    void secretsNeverAppearInTheLogs() {
        produce("pa", "logged?", "Bearer " + SECRET_A);
        produce("pa", "logged?", "Bearer " + SECRET_B);
        produce("pa", "logged?", "Bearer wrong-secret-0123456789");
        assertThat(logs.all()).noneMatch(line -> line.contains(SECRET_A) || line.contains(SECRET_B)
            || line.contains("wrong-secret-0123456789"));
    }

    @Test
    void withCredentialsOff_theContractsClientsWorkAsTheyAre() {
        try (TestProxy open = TestProxy.builder().producer("pa", topicA)
            .credential("team-a", SECRET_A, List.of("pa"), List.of("ga")).start()) {
            Reply r = open.client().produce(form("producer", "pa", "message", "no credential needed"));
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        }
    }
}
