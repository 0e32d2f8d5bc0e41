package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.registry.ConsumerGroup;
import org.junit.jupiter.api.Test;

/** Issue 21: no rate a group may hold fails its polls, not even one kept before the rate had a ceiling. */
class RateLimitsTest {
    private static ConsumerGroup group(int rateLimit) {
        return new ConsumerGroup("g", "t", ProxyConfig.ConsumeMode.CLUSTERING, true, 32, 300, 10, 0, 0, 16,
            ProxyConfig.StartPosition.LATEST, 0, 100, false, rateLimit, true);
    }

    @Test
    void theHighestRateAccepted_andOneKeptBeforeTheCeiling_bothServe() {
        RateLimits limits = new RateLimits(() -> 1);
        assertThat(limits.allowance(group(GroupRules.MAX_RATE_LIMIT), 32)).isEqualTo(32);
        // 2^31-1 a second overflowed Bucket4j (IllegalArgumentException on every poll): it counts as the ceiling.
        assertThat(limits.allowance(group(Integer.MAX_VALUE), 32)).isEqualTo(32);
        limits.delivered(group(Integer.MAX_VALUE), 32);
    }
}
