package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failed operator logins, per source address, against a clock the test moves (issue 21). */
class LoginThrottleTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final List<String> audited = new CopyOnWriteArrayList<>();

    private LoginThrottle throttle(int maxAddresses) {
        return new LoginThrottle(10, Duration.ofMinutes(1), maxAddresses, ticker,
            (address, result) -> audited.add(address + " " + result));
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void tenFailuresWithinTheWindow_makeTheAddressWait_untilTheWindowEnds_othersUnaffected() {
        LoginThrottle t = throttle(100);
        for (int i = 0; i < 9; i++) {
            t.failed("10.0.0.1", "wrong token");
            advance(Duration.ofSeconds(1));
        }
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
        t.failed("10.0.0.1", "wrong token");
        // The window began 9 s ago: 51 s left.
        assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(51);
        assertThat(t.retryAfterSeconds("10.0.0.2")).isZero();

        advance(Duration.ofSeconds(50));
        assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
        // A new window: nine more failures are still allowed.
        t.failed("10.0.0.1", "wrong token");
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
    }

    @Test
    void failuresSpreadOverWindows_neverThrottle() {
        LoginThrottle t = throttle(100);
        for (int i = 0; i < 30; i++) {
            t.failed("10.0.0.1", "wrong token");
            advance(Duration.ofSeconds(7)); // 9 per 63 s window at most
        }
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
    }

    @Test
    void aFloodOfFailures_leavesTwoAuditRecordsPerAddressAndWindow() {
        LoginThrottle t = throttle(100);
        for (int i = 0; i < 1_000; i++) {
            t.failed("10.0.0.1", "wrong token");
        }
        assertThat(audited).hasSize(2);
        assertThat(audited.get(0)).startsWith("10.0.0.1 refused: wrong token");
        assertThat(audited.get(1)).contains("10 failed logins within 60 s");
        for (int i = 0; i < 1_000; i++) {
            t.refused("10.0.0.3", "no token");
        }
        assertThat(audited).hasSize(3);
        assertThat(t.retryAfterSeconds("10.0.0.3")).isZero(); // refusals without a token do not count
        advance(Duration.ofMinutes(1));
        t.failed("10.0.0.1", "wrong token");
        assertThat(audited).hasSize(4);
    }

    @Test
    void aFullTable_neverForgetsAnAttacker_andThrottlesNewAddressesTogether() {
        LoginThrottle t = throttle(5);
        for (int i = 0; i < 10; i++) {
            t.failed("6.6.6.6", "wrong token");
        }
        assertThat(t.retryAfterSeconds("6.6.6.6")).isPositive();
        // Others fill the table and overflow it: the attacker's count stays.
        for (int a = 0; a < 1_000; a++) {
            t.failed("10.1." + a / 256 + "." + a % 256, "wrong token");
        }
        assertThat(t.retryAfterSeconds("6.6.6.6")).isPositive();
        assertThat(t.size()).isLessThanOrEqualTo(6);
        // Addresses without room share one entry, throttled as one: a full table refuses, never lets through.
        assertThat(t.retryAfterSeconds("10.9.9.9")).isPositive();
        // Windows end, the table empties, and everyone may try again.
        advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(t.retryAfterSeconds("6.6.6.6")).isZero();
        assertThat(t.retryAfterSeconds("10.9.9.9")).isZero();
        assertThat(t.size()).isZero();
    }
}
