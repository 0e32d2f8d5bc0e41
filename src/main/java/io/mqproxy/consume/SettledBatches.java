package io.mqproxy.consume;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.mqproxy.broker.ReceiptHandle;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

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

    /** How a batch is being settled, and when the broker took it (or failed to). */
    record Settled(Settlement how, CompletableFuture<Void> done, long forgetAtMillis) {
    }

    /** @param clock what decides when a batch is forgotten (the cache's time, too) */
    SettledBatches(int capacity, Clock clock) {
        settled = Caffeine.newBuilder()
            .maximumSize(capacity)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(new Expiry<Key, Settled>() {
                @Override
                public long expireAfterCreate(Key key, Settled value, long currentTime) {
                    return TimeUnit.MILLISECONDS.toNanos(Math.max(1, value.forgetAtMillis - clock.millis()));
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
     * Settles the batch {@code how} by running {@code work}, unless it was settled before.
     *
     * @return {@code work}'s outcome; or, when the batch was settled before, the earlier settlement
     *         once the broker took it (the earlier failure if it did not)
     */
    <T> CompletableFuture<T> settleOnce(String brokerGroup, BatchReceipt batch, Settlement how,
                                        Supplier<CompletableFuture<T>> work,
                                        Function<Settlement, T> settledBefore) {
        if (batch.handles().isEmpty()) {
            return work.get();
        }
        Key key = key(brokerGroup, batch);
        Settled mine = new Settled(how, new CompletableFuture<>(), batch.expiresAt() + GRACE_MILLIS);
        Settled before = settled.asMap().putIfAbsent(key, mine);
        if (before != null) {
            return before.done.thenApply(v -> settledBefore.apply(before.how));
        }
        CompletableFuture<T> outcome;
        try {
            outcome = work.get();
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.whenComplete((v, failure) -> {
            if (failure != null) {
                // The broker did not take it: the client may try again.
                settled.asMap().remove(key, mine);
                mine.done.completeExceptionally(failure);
            } else {
                mine.done.complete(null);
            }
        });
    }

    long size() {
        return settled.estimatedSize();
    }

    private static Key key(String brokerGroup, BatchReceipt batch) {
        return new Key(brokerGroup, batch.handles().get(0));
    }
}
