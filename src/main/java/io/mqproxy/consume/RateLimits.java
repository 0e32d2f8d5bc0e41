package io.mqproxy.consume;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.mqproxy.config.GroupRules;
import io.mqproxy.registry.ConsumerGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The operators' rate limits, in messages per second for a whole group across the fleet: each
 * instance takes its share (the rate divided by the live instances) in a token bucket of its own,
 * holding at most one second of its share. A poll may start while a token is left; what it delivers
 * is then taken from the bucket, into debt if need be, so over a few seconds a group gets its rate.
 * A poll waiting for messages holds no tokens.
 */
final class RateLimits {
    private record Limited(int rate, int instances, Bucket bucket) {
    }

    private final IntSupplier liveInstances;
    /** The buckets refill by the proxy's clock (millisecond precision, Bucket4j's default). */
    private final TimeMeter time;
    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();

    RateLimits(IntSupplier liveInstances, Clock clock) {
        this.liveInstances = liveInstances;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** How many messages a poll of the group may take now: 0 when it is over its rate. */
    int allowance(ConsumerGroup group, int wanted) {
        Bucket bucket = bucket(group);
        if (bucket == null) {
            return wanted;
        }
        long available = bucket.getAvailableTokens();
        return available < 1 ? 0 : (int) Math.min(wanted, available);
    }

    /** A poll of the group delivered {@code messages}. */
    void delivered(ConsumerGroup group, int messages) {
        Bucket bucket = bucket(group);
        if (bucket != null && messages > 0) {
            bucket.consumeIgnoringRateLimits(messages);
        }
    }

    /** The group is gone or no longer limited. */
    void forget(String group) {
        buckets.remove(group);
    }

    private Bucket bucket(ConsumerGroup group) {
        if (group.rateLimit() <= 0) {
            return null;
        }
        int instances = Math.max(1, liveInstances.getAsInt());
        Limited current = buckets.get(group.name());
        if (current != null && current.rate == group.rateLimit() && current.instances == instances) {
            return current.bucket;
        }
        // A rate kept before the limit had its ceiling (2^31-1 overflowed Bucket4j, failing every poll) counts
        // as the ceiling: an old registry entry must not break its group.
        double share = (double) Math.min(group.rateLimit(), GroupRules.MAX_RATE_LIMIT) / instances;
        // Whole tokens refill at the share's pace; a share under one a second refills one token in 1/share s.
        long perSecond = Math.max(1, Math.round(share));
        Duration period = share >= 1 ? Duration.ofSeconds(1) : Duration.ofMillis(Math.round(1000 / share));
        Bucket bucket = Bucket.builder()
            .withCustomTimePrecision(time)
            .addLimit(Bandwidth.builder().capacity(perSecond).refillGreedy(perSecond, period).build())
            .build();
        buckets.put(group.name(), new Limited(group.rateLimit(), instances, bucket));
        return bucket;
    }
}
