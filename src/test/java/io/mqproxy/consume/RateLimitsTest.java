package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A group's rate, by the proxy's clock (issue 23: no sleeping): a bucket of one second's share, refilled at the
 * share's pace, taken into debt by what a poll delivered; the share follows the live instances. And issue 21:
 * no rate a group may hold fails its polls, not even one kept before the rate had a ceiling.
 */
class RateLimitsTest {
    private static final long T0 = 1_800_000_000_000L;

    private static ConsumerGroup group(int rateLimit) {
        return ConsumerGroup.registered("g", "t", new ProxyConfig.GroupSettings(ProxyConfig.ConsumeMode.CLUSTERING,
            true, 32, 300, 10, 0, 0, 16, ProxyConfig.StartPosition.LATEST, 0, 100), null, null).withRateLimit(rateLimit);
    }

    @Test
    void theHighestRateAccepted_andOneKeptBeforeTheCeiling_bothServe() {
        RateLimits limits = new RateLimits(() -> 1, Clock.systemUTC());
        assertThat(limits.allowance(group(GroupRules.MAX_RATE_LIMIT), 32)).isEqualTo(32);
        // 2^31-1 a second overflowed Bucket4j (IllegalArgumentException on every poll): it counts as the ceiling.
        assertThat(limits.allowance(group(Integer.MAX_VALUE), 32)).isEqualTo(32);
        limits.delivered(group(Integer.MAX_VALUE), 32);
    }

    @Test
    void aGroupWithoutRate_takesWhatItAsks() {
        RateLimits limits = new RateLimits(() -> 1, MutableClock.at(T0));
        assertThat(limits.allowance(group(0), 32)).isEqualTo(32);
    }

    @Test
    void aSecondsShare_isSpent_thenRefillsAtTheRatesPace() {
        MutableClock clock = MutableClock.at(T0);
        RateLimits limits = new RateLimits(() -> 1, clock);
        ConsumerGroup tenPerSecond = group(10);
        assertThat(limits.allowance(tenPerSecond, 32)).as("one second's worth at most").isEqualTo(10);
        limits.delivered(tenPerSecond, 10);
        assertThat(limits.allowance(tenPerSecond, 32)).as("spent").isZero();
        clock.advance(Duration.ofMillis(99));
        assertThat(limits.allowance(tenPerSecond, 32)).as("under a tenth of a second later").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(limits.allowance(tenPerSecond, 32)).as("one message a tenth of a second").isEqualTo(1);
        clock.advance(Duration.ofSeconds(5));
        assertThat(limits.allowance(tenPerSecond, 32)).as("never more than a second's worth").isEqualTo(10);
    }

    @Test
    void aPollThatDeliveredMore_leavesTheBucketInDebt_untilTimeRepaysIt() {
        MutableClock clock = MutableClock.at(T0);
        RateLimits limits = new RateLimits(() -> 1, clock);
        ConsumerGroup tenPerSecond = group(10);
        assertThat(limits.allowance(tenPerSecond, 1)).isEqualTo(1);
        limits.delivered(tenPerSecond, 30);
        clock.advance(Duration.ofMillis(1_999));
        assertThat(limits.allowance(tenPerSecond, 32)).as("20 in debt: two seconds to repay").isZero();
        clock.advance(Duration.ofMillis(101));
        assertThat(limits.allowance(tenPerSecond, 32)).isEqualTo(1);
    }

    @Test
    void eachInstanceTakesItsShare_andANewCountOfInstancesTakesEffect() {
        MutableClock clock = MutableClock.at(T0);
        AtomicInteger instances = new AtomicInteger(4);
        RateLimits limits = new RateLimits(instances::get, clock);
        ConsumerGroup forty = group(40);
        assertThat(limits.allowance(forty, 32)).as("40/s over 4 instances").isEqualTo(10);
        instances.set(1);
        assertThat(limits.allowance(forty, 32)).as("alone: the whole rate").isEqualTo(32);
    }

    @Test
    void aShareUnderOneASecond_refillsOneMessageInItsPeriod() {
        MutableClock clock = MutableClock.at(T0);
        RateLimits limits = new RateLimits(() -> 4, clock);
        ConsumerGroup two = group(2); // half a message a second here: one every 2 s
        assertThat(limits.allowance(two, 32)).isEqualTo(1);
        limits.delivered(two, 1);
        clock.advance(Duration.ofMillis(1_999));
        assertThat(limits.allowance(two, 32)).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(limits.allowance(two, 32)).isEqualTo(1);
    }

    @Test
    void aForgottenGroup_startsAgainWithAFullBucket() {
        MutableClock clock = MutableClock.at(T0);
        RateLimits limits = new RateLimits(() -> 1, clock);
        ConsumerGroup ten = group(10);
        limits.delivered(ten, limits.allowance(ten, 32));
        assertThat(limits.allowance(ten, 32)).isZero();
        limits.forget("g");
        assertThat(limits.allowance(ten, 32)).isEqualTo(10);
    }
}
