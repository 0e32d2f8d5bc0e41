package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.error.ProxyError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestIdCodecTest {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final long NOW = 1_767_000_000_000L;
    private final RequestIdCodec codec = new RequestIdCodec("k".repeat(32).getBytes(StandardCharsets.UTF_8));

    /** A batch as the proxy builds it: {@code pops} broker pops, each spanning {@code queues} queues. */
    private static BatchReceipt batch(int messages, int pops, int queues, String clientId) {
        List<ReceiptHandle> handles = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            int pop = i * pops / messages;
            int queue = i % queues;
            long ck = 1_000_000L + queue * 7_919L + pop * 40L;
            handles.add(new ReceiptHandle(ck, NOW + pop * 13L, 300_000, queue % 8, "0", "broker-a", queue,
                ck + i / queues));
        }
        return new BatchReceipt("http-clustering-consumer", "mqcloud-json-test-topic", clientId, handles);
    }

    /** Handles are grouped by pop and queue inside a requestId: their order is not kept, and need not be. */
    private static void assertSameBatch(BatchReceipt actual, BatchReceipt expected) {
        assertThat(actual.consumer()).isEqualTo(expected.consumer());
        assertThat(actual.topic()).isEqualTo(expected.topic());
        assertThat(actual.clientId()).isEqualTo(expected.clientId());
        assertThat(actual.handles()).containsExactlyInAnyOrderElementsOf(expected.handles());
    }

    private static void assertRefused(Runnable decode) {
        assertThatThrownBy(decode::run)
            .isInstanceOfSatisfying(ProxyError.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).startsWith("requestId:");
            });
    }

    @Test
    void roundTrip_keepsEveryField() {
        for (BatchReceipt receipt : List.of(batch(1, 1, 1, null), batch(32, 1, 4, null), batch(128, 4, 8, null),
            batch(5, 1, 2, "10.0.0.7:8080 client-é"))) {
            assertSameBatch(codec.decode(codec.encode(receipt)), receipt);
        }
    }

    @Test
    void roundTrip_handlesOfRedeliveredAndUnorderedMessages() {
        List<ReceiptHandle> handles = List.of(
            new ReceiptHandle(500, NOW, 2_000, 3, "1", "broker-b", 0, 502),
            new ReceiptHandle(500, NOW, 2_000, 3, "1", "broker-b", 0, 500),
            new ReceiptHandle(9, NOW + 5, 2_000, 1, "0", "broker-a", 7, 9),
            new ReceiptHandle(500, NOW, 2_000, 3, "1", "broker-b", 0, 501));
        BatchReceipt receipt = new BatchReceipt("g", "t", null, handles);
        assertSameBatch(codec.decode(codec.encode(receipt)), receipt);
    }

    @Test
    void requestId_isUrlSafeText() {
        assertThat(codec.encode(batch(128, 4, 8, "a client"))).matches("^[A-Za-z0-9_-]+$");
    }

    @Test
    void batchOf128_over8Queues_isUnder4KiB() {
        // One pop returns at most 32, so a batch of 128 comes from 4 pops, each across 8 queues plus a
        // retry queue: the worst grouping a real batch has.
        List<ReceiptHandle> handles = new ArrayList<>(batch(120, 4, 8, null).handles());
        for (int i = 0; i < 8; i++) {
            handles.add(new ReceiptHandle(70_000 + i * 3, NOW + i % 4, 300_000, 0, "1", "broker-a", 0, 70_000 + i * 3));
        }
        String requestId = codec.encode(new BatchReceipt("http-clustering-consumer", "mqcloud-json-test-topic", null,
            handles));
        assertThat(handles).hasSize(128);
        assertThat(requestId.length()).isLessThan(4096);
        assertThat(codec.encode(batch(128, 1, 8, null)).length()).isLessThan(1024);
    }

    @Test
    void everyTamperedByte_isRefused() {
        String requestId = codec.encode(batch(20, 2, 4, null));
        byte[] token = Base64.getUrlDecoder().decode(requestId);
        for (int i = 0; i < token.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] tampered = token.clone();
                tampered[i] ^= (byte) (1 << bit);
                String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);
                assertRefused(() -> codec.decode(forged));
            }
        }
    }

    @Test
    void everyChangedCharacter_isRefused() {
        String requestId = codec.encode(batch(3, 1, 1, null));
        for (int i = 0; i < requestId.length(); i++) {
            for (char c : ALPHABET.toCharArray()) {
                if (c != requestId.charAt(i)) {
                    String forged = requestId.substring(0, i) + c + requestId.substring(i + 1);
                    assertRefused(() -> codec.decode(forged));
                }
            }
        }
    }

    @Test
    void truncatedOrExtended_isRefused() {
        String requestId = codec.encode(batch(8, 1, 2, null));
        for (int length = 0; length < requestId.length(); length++) {
            String truncated = requestId.substring(0, length);
            if (!truncated.isEmpty()) {
                assertRefused(() -> codec.decode(truncated));
            }
        }
        assertRefused(() -> codec.decode(requestId + "A"));
        assertRefused(() -> codec.decode(requestId + "AA"));
        assertRefused(() -> codec.decode(requestId + "=="));
    }

    @Test
    void garbage_isRefused() {
        for (String garbage : List.of("x", "not a request id", "abc+/def", "%%%", "{}", "null", "A".repeat(5000),
            "YnJva2VyLWE", "====")) {
            assertRefused(() -> codec.decode(garbage));
        }
    }

    @Test
    void requestIdSignedWithAnotherKey_isRefused() {
        RequestIdCodec other = new RequestIdCodec("another-key-of-32-bytes-length!!".getBytes(StandardCharsets.UTF_8));
        BatchReceipt receipt = batch(10, 1, 2, null);
        assertRefused(() -> codec.decode(other.encode(receipt)));
        assertRefused(() -> other.decode(codec.encode(receipt)));
        RequestIdCodec peer = new RequestIdCodec("k".repeat(32).getBytes(StandardCharsets.UTF_8));
        assertSameBatch(peer.decode(codec.encode(receipt)), receipt);
    }

    @Test
    void shortKey_isRejected() {
        assertThatThrownBy(() -> new RequestIdCodec(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterARotation_requestIdsOfThePreviousKeyAreStillAccepted_andNewOnesUseTheNewKey() {
        byte[] oldKey = "old-key-of-at-least-16-bytes".getBytes(StandardCharsets.UTF_8);
        byte[] newKey = "new-key-of-at-least-16-bytes".getBytes(StandardCharsets.UTF_8);
        BatchReceipt receipt = new BatchReceipt("g", "t", null, java.util.List.of(
            new io.mqproxy.broker.ReceiptHandle(5, 1_700_000_000_000L, 60_000, 1, "0", "broker-a", 2, 7)));
        String issuedBefore = new RequestIdCodec(oldKey).encode(receipt);
        RequestIdCodec rotated = new RequestIdCodec(newKey, oldKey);
        assertThat(rotated.decode(issuedBefore)).isEqualTo(receipt);
        String issuedAfter = rotated.encode(receipt);
        assertThat(new RequestIdCodec(newKey).decode(issuedAfter)).isEqualTo(receipt);
        // Once the old key is dropped, what it signed is refused.
        assertThatThrownBy(() -> new RequestIdCodec(newKey).decode(issuedBefore))
            .isInstanceOf(io.mqproxy.error.ProxyError.class).hasMessageStartingWith("requestId:");
    }

    @Test
    void aRequestIdOfTheFirstFormat_noKeyId_isStillAccepted() {
        // Version 1 (before key ids): version byte 1, no key id; signed with the key there was.
        byte[] key = "k".repeat(32).getBytes(StandardCharsets.UTF_8);
        BatchReceipt receipt = new BatchReceipt("g", "t", null, java.util.List.of(
            new io.mqproxy.broker.ReceiptHandle(5, 1_700_000_000_000L, 60_000, 1, "0", "broker-a", 2, 7)));
        String v2 = new RequestIdCodec(key).encode(receipt);
        byte[] token = java.util.Base64.getUrlDecoder().decode(v2);
        byte[] payload = new byte[token.length - 16 - 1];
        payload[0] = 1;
        System.arraycopy(token, 2, payload, 1, payload.length - 1);
        byte[] mac;
        try {
            javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
            m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            mac = m.doFinal(payload);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] v1 = java.util.Arrays.copyOf(payload, payload.length + 16);
        System.arraycopy(mac, 0, v1, payload.length, 16);
        String v1Text = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(v1);
        assertThat(new RequestIdCodec(key).decode(v1Text)).isEqualTo(receipt);
    }
}
