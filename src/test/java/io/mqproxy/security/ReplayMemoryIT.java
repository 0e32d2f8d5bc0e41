package io.mqproxy.security;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 4, from outside: with {@code security.maxRememberedSignatures: 20}, a replayed signed
 * produce used to be refused at once and accepted after 200 other signed requests (the memory forgot it).
 * Now the replay is refused however many came between, and a full memory answers 503 with Retry-After,
 * counted and logged; nothing refused is stored.
 */
class ReplayMemoryIT {
    private static final String SECRET = "replay-it-secret-0123456789";

    private static Reply signedProduce(ProxyClient client, String body, long timestamp) {
        byte[] form = ProxyClient.encode(form("producer", "rp", "message", body)).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(timestamp);
        String signature = RequestSignature.sign(SECRET, RequestSignature.stringToSign("POST", "/mq/produce", null,
            form, ts));
        return client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(RequestSignature.KEY_HEADER, "replayer")
            .header(RequestSignature.TIMESTAMP_HEADER, ts)
            .header(RequestSignature.SIGNATURE_HEADER, signature)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form)));
    }

    @Test
    void aReplay_isRefusedAfterManyOtherSignedRequests_andAFullMemoryAnswers503() {
        String topic = TestBroker.get().newTopic("replay", 1);
        try (LogCapture logs = LogCapture.attach(Level.WARN);
             TestProxy proxy = TestProxy.builder().producer("rp", topic)
                 .credential("replayer", SECRET, List.of("rp"), List.of())
                 .set("security.requireCredentials", "true")
                 .set("security.signatureWindowSeconds", "120")
                 .set("security.maxRememberedSignatures", "20")
                 .start()) {
            ProxyClient client = proxy.client();
            long signedAt = System.currentTimeMillis();
            assertThat(signedProduce(client, "original", signedAt).status()).isEqualTo(200);
            Reply early = signedProduce(client, "original", signedAt);
            assertThat(early.status()).isEqualTo(401);
            assertThat(early.message()).contains("already used");

            int accepted = 0;
            Reply full = null;
            for (int i = 0; i < 200; i++) {
                Reply r = signedProduce(client, "other-" + i, System.currentTimeMillis());
                if (r.status() == 200) {
                    accepted++;
                } else {
                    assertThat(r.status()).as(r.raw().body()).isEqualTo(503);
                    full = r;
                }
            }
            assertThat(accepted).as("room for 19 more besides the original").isEqualTo(19);
            assertThat(full).isNotNull();
            assertThat(full.message()).contains("security.maxRememberedSignatures").contains("retry in");
            long retryAfter = Long.parseLong(full.raw().headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 121L);

            Reply late = signedProduce(client, "original", signedAt);
            assertThat(late.status()).as("the replay after 200 other signed requests").isEqualTo(401);
            assertThat(late.message()).contains("already used");
            assertThat(StoredMessages.bodies(StoredMessages.readAll(topic))).filteredOn("original"::equals).hasSize(1);
            assertThat(StoredMessages.count(topic)).isEqualTo(20);

            MetricsScrape metrics = MetricsScrape.of(client);
            assertThat(metrics.value("mqproxy_signature_memory_full_total")).isEqualTo(181);
            assertThat(metrics.value("mqproxy_signature_memory_entries")).isEqualTo(20);
            assertThat(logs.warnings()).filteredOn(l -> l.contains("signature memory full")).hasSize(1);
        }
    }
}
