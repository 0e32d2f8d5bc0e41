package io.mqproxy.consume;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.mqproxy.broker.ReceiptHandle;
import java.util.concurrent.TimeUnit;

/**
 * The batches this instance acked or gave back, remembered until their consumeTimeout ends, so that a
 * requestId is used once. The broker cannot tell: it answers a second ack with success, and in a
 * concurrent group it takes the release of an acked message as a new reservation and delivers the
 * message again. Bounded: when full, the least useful entries go, and a second use through this
 * instance is then no longer caught (README, "A requestId is used once").
 */
final class SettledBatches {
    /** How a batch was settled. */
    enum Settlement { ACKED, RELEASED }

    /** A batch's identity: its group, and its first receipt handle, which names one pop of one queue. */
    private record Key(String brokerGroup, ReceiptHandle first) {
    }

    /** Kept a while past the deadline: the proxy's and the broker's clocks differ a little. */
    private static final long GRACE_MILLIS = 60_000;

    private final Cache<Key, Settled> settled;

    private record Settled(Settlement how, long forgetAtMillis) {
    }

    SettledBatches(int capacity) {
        settled = Caffeine.newBuilder()
            .maximumSize(capacity)
            .expireAfter(new Expiry<Key, Settled>() {
                @Override
                public long expireAfterCreate(Key key, Settled value, long currentTime) {
                    return TimeUnit.MILLISECONDS.toNanos(Math.max(1, value.forgetAtMillis - System.currentTimeMillis()));
                }

                @Override
                public long expireAfterUpdate(Key key, Settled value, long currentTime, long currentDuration) {
                    return expireAfterCreate(key, value, currentTime);
                }

                @Override
                public long expireAfterRead(Key key, Settled value, long currentTime, long currentDuration) {
                    return currentDuration;
                }
            })
            // Eviction work runs on the calling thread: no pool of Caffeine's own behind the proxy's back.
            .executor(Runnable::run)
            .build();
    }

    /**
     * Records that the batch is being settled {@code how}, unless it was settled before.
     *
     * @return the earlier settlement, or null when this is the first
     */
    Settlement settle(String brokerGroup, BatchReceipt batch, Settlement how) {
        if (batch.handles().isEmpty()) {
            return null;
        }
        Settled before = settled.asMap().putIfAbsent(key(brokerGroup, batch),
            new Settled(how, batch.expiresAt() + GRACE_MILLIS));
        return before == null ? null : before.how;
    }

    /** The broker did not take the settlement: the client may try again. */
    void forget(String brokerGroup, BatchReceipt batch) {
        if (!batch.handles().isEmpty()) {
            settled.invalidate(key(brokerGroup, batch));
        }
    }

    long size() {
        return settled.estimatedSize();
    }

    private static Key key(String brokerGroup, BatchReceipt batch) {
        return new Key(brokerGroup, batch.handles().get(0));
    }
}
