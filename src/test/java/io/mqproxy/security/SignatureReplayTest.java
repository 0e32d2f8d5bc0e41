package io.mqproxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.error.ProxyError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 4: the memory of signatures never forgets one whose timestamp is still inside the
 * window. Full, it refuses new signed requests (503, retry after the oldest leaves the window); a replay is
 * refused however many requests came in between; expiry frees room. Time is passed in: no sleeping.
 */
class SignatureReplayTest {
    private static final String SECRET = "replay-test-secret-0123456789";
    private static final long WINDOW = 10_000;
    private static final long T0 = 1_800_000_000_000L;

    private static DataAuthenticator authenticator(int capacity) {
        Credential c = new Credential("k", SECRET, Set.of("p"), Set.of(), 0, false);
        return new DataAuthenticator(true, () -> List.of(c), Duration.ofMillis(WINDOW), capacity);
    }

    /** A signed produce of {@code body}, sent at {@code nowMillis}, signed at {@code signedAt}. */
    private static DataAuthenticator.Principal send(DataAuthenticator a, String body, long signedAt, long nowMillis) {
        byte[] form = ("producer=p&message=" + body).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(signedAt);
        Map<String, String> headers = Map.of(RequestSignature.KEY_HEADER, "k", RequestSignature.TIMESTAMP_HEADER, ts,
            RequestSignature.SIGNATURE_HEADER,
            RequestSignature.sign(SECRET, RequestSignature.stringToSign("POST", "/mq/produce", null, form, ts)));
        return a.authenticate("POST", "/mq/produce", null, form, headers::get, nowMillis);
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (ProxyError e) {
            return e.status();
        }
    }

    @Test
    void fullMemory_refusesNewSignedRequests_with503_andNeverAcceptsAReplay() {
        DataAuthenticator a = authenticator(20);
        assertThat(send(a, "first", T0, T0)).isNotNull();
        assertThat(status(() -> send(a, "first", T0, T0 + 1))).as("replay at once").isEqualTo(401);
        int accepted = 0;
        int full = 0;
        for (int i = 0; i < 200; i++) {
            int s = status(() -> send(a, "other-" + System.nanoTime(), T0 + 2, T0 + 2));
            accepted += s == 200 ? 1 : 0;
            full += s == 503 ? 1 : 0;
        }
        assertThat(accepted).isEqualTo(19);
        assertThat(full).isEqualTo(181);
        assertThat(a.refusedForFullMemory()).isEqualTo(181);
        assertThat(status(() -> send(a, "first", T0, T0 + 3))).as("replay after 200 others").isEqualTo(401);
        assertThatThrownBy(() -> send(a, "new", T0 + 3, T0 + 3)).isInstanceOf(ProxyError.class)
            .hasMessageContaining("retry in 10 s").hasMessageContaining("security.maxRememberedSignatures");
        assertThat(a.retryAfterSeconds(T0 + 3)).isEqualTo(10);
    }

    @Test
    void aSignatureIsKept_untilItsTimestampLeavesTheWindow_thenItsRoomIsFree() {
        DataAuthenticator a = authenticator(2);
        send(a, "a", T0, T0);
        send(a, "b", T0 + 5_000, T0 + 5_000);
        assertThat(status(() -> send(a, "c", T0 + 5_000, T0 + 5_000))).isEqualTo(503);
        // At the window's very end "a" still passes the timestamp check: still remembered, still full.
        assertThat(status(() -> send(a, "a", T0, T0 + WINDOW))).isEqualTo(401);
        assertThat(status(() -> send(a, "c", T0 + WINDOW, T0 + WINDOW))).isEqualTo(503);
        // Past it, "a" is refused for its timestamp, and its room is free.
        assertThat(status(() -> send(a, "a", T0, T0 + WINDOW + 1_001))).isEqualTo(401);
        assertThat(a.rememberedSignatures()).isLessThanOrEqualTo(2);
        assertThat(status(() -> send(a, "c", T0 + WINDOW + 1_001, T0 + WINDOW + 1_001))).isEqualTo(200);
        assertThat(status(() -> send(a, "c", T0 + WINDOW + 1_001, T0 + WINDOW + 1_002))).isEqualTo(401);
    }

    /** A timestamp ahead of the proxy's clock stays valid longer, so it is kept longer. */
    @Test
    void aTimestampAheadOfTheClock_isKeptUntilItsOwnWindowEnds() {
        DataAuthenticator a = authenticator(10);
        long ahead = T0 + WINDOW;
        send(a, "ahead", ahead, T0);
        assertThat(status(() -> send(a, "ahead", ahead, T0 + 2 * WINDOW))).isEqualTo(401);
        assertThat(status(() -> send(a, "ahead", ahead, T0 + 2 * WINDOW + 1_001))).isEqualTo(401);
    }

    /**
     * A steady load at the documented rate (capacity over twice the window plus a second) never fills the
     * memory, even when every client's clock is as far ahead as the window allows (the longest-kept case).
     */
    @Test
    void steadyLoadBelowTheDocumentedRate_neverFills() {
        int capacity = 1_000;
        DataAuthenticator a = authenticator(capacity);
        long perSecond = capacity / (2 * WINDOW / 1000 + 1); // 47 a second
        long now = T0;
        int n = 0;
        for (int second = 0; second < 60; second++) {
            for (int i = 0; i < perSecond; i++) {
                long t = now + i * (1000 / perSecond);
                long signedAt = t + WINDOW;
                int s = status(() -> send(a, "m" + System.nanoTime(), signedAt, t));
                assertThat(s).as("request %d", n).isEqualTo(200);
                n++;
            }
            now += 1000;
        }
        assertThat(a.refusedForFullMemory()).isZero();
    }
}
