package io.mqproxy.consume;

import io.mqproxy.broker.Pops;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.error.Errors;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.BrokerGroups;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The settle path: what becomes of a delivered batch. Acks and releases (nacks) go to the broker once per
 * batch ({@link SettledBatches}), under the ack permits; messages that reached no client are given back
 * without counting a delivery.
 */
final class Settlements {
    /** Why messages that reached no client went back (the status of mqproxy_consume_releases_total). */
    static final String GIVEN_BACK_CLIENT_GONE = "CLIENT_GONE";
    static final String GIVEN_BACK_PAUSED = "PAUSED";
    static final String GIVEN_BACK_STOPPING = "STOPPING";

    private final Pops broker;
    private final ProxyMetrics metrics;
    private final ProxyConfig.Consume settings;
    private final Semaphore acks;
    private final SettledBatches settled;
    private final BatchDeadlines deadlines;
    private final HeldQueueAttempts heldAttempts;
    private volatile Consumer<BatchReceipt> settledObserver = receipt -> { };

    Settlements(Pops broker, ProxyMetrics metrics, ProxyConfig.Consume settings, SettledBatches settled,
                BatchDeadlines deadlines, HeldQueueAttempts heldAttempts) {
        this.broker = broker;
        this.metrics = metrics;
        this.settings = settings;
        this.acks = new Semaphore(settings.maxAcksInFlight());
        this.settled = settled;
        this.deadlines = deadlines;
        this.heldAttempts = heldAttempts;
    }

    /** See {@link ConsumeService#onSettled}. */
    void onSettled(Consumer<BatchReceipt> observer) {
        settledObserver = observer;
    }

    /**
     * Acks the batch once. A requestId used before through this instance is answered with what became
     * of it, and the broker is not asked again (it would answer success either way).
     */
    CompletableFuture<String> ack(Poll poll, BatchReceipt receipt) {
        String brokerGroup = BrokerGroups.forClient(receipt.consumer(), receipt.clientId());
        // Stale acks are silent at the broker, so lateness is read from the handles' own deadline.
        String status = deadlines.ackStatus(receipt);
        return settled.settleOnce(brokerGroup, receipt, SettledBatches.Settlement.ACKED,
            () -> broker.ack(brokerGroup, receipt.topic(), receipt.handles()).thenApply(v -> {
                metrics.acked(poll.group().name(), receipt.handles().size(), status);
                return status;
            }),
            AckResult::already)
            .whenComplete((acked, failure) -> {
                if (failure == null) {
                    settledObserver.accept(receipt);
                }
            });
    }

    /** See {@link ConsumeService#release}: the batch goes back once, visible again after {@code delayMillis}. */
    CompletableFuture<AckResult> release(Poll poll, BatchReceipt receipt, long delayMillis) {
        int count = receipt.handles().size();
        if (deadlines.tooLateToGiveBack(receipt)) {
            metrics.released(poll.group().name(), count, AckResult.EXPIRED);
            return CompletableFuture.completedFuture(new AckResult(AckResult.EXPIRED, count));
        }
        return withAckPermit(() -> settled.settleOnce(poll.brokerGroup(), receipt, SettledBatches.Settlement.RELEASED,
            () -> broker.changeInvisibleTime(poll.brokerGroup(), poll.group().topic(), receipt.handles(), delayMillis)
                .thenApply(renewed -> {
                    // Queue-held groups: the broker ignores a release of an acked message and says so (popTime 0),
                    // also when the ack went through another proxy instance.
                    boolean wasAcked = renewed.stream().allMatch(h -> h.popTime() == 0);
                    return new AckResult(wasAcked ? AckResult.ALREADY_ACKED : AckResult.OK, count);
                }),
            before -> new AckResult(AckResult.already(before), count))
            .whenComplete((result, failure) -> {
                if (result != null) {
                    metrics.released(poll.group().name(), count, result.status());
                    settledObserver.accept(receipt);
                }
            }));
    }

    /** A batch minted for a client that did not get it: given back once, uncounted (see {@link #giveBack}). */
    CompletableFuture<Void> returnUndelivered(BatchReceipt receipt) {
        String brokerGroup = BrokerGroups.forClient(receipt.consumer(), receipt.clientId());
        metrics.released(receipt.consumer(), receipt.handles().size(), GIVEN_BACK_CLIENT_GONE);
        return settled.settleOnce(brokerGroup, receipt, SettledBatches.Settlement.RELEASED,
            () -> giveBack(brokerGroup, receipt.topic(), receipt.handles()), before -> null);
    }

    /** Acks, unlocks and nacks are bounded too: each holds broker calls and memory while it runs. */
    <T> CompletableFuture<T> withAckPermit(Supplier<CompletableFuture<T>> work) {
        if (!acks.tryAcquire()) {
            metrics.overloaded(ProxyMetrics.BOUND_ACKS);
            return CompletableFuture.failedFuture(Errors.overloaded("acks, unlocks and nacks",
                settings.maxAcksInFlight()));
        }
        try {
            return work.get().whenComplete((v, e) -> acks.release());
        } catch (RuntimeException e) {
            acks.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What was popped for a client that left (or a group paused meanwhile) is made visible again at once. */
    CompletableFuture<Void> giveBack(Poll poll, List<PoppedMessage> messages, String why) {
        if (messages.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        metrics.released(poll.group().name(), messages.size(), why);
        return giveBack(poll.brokerGroup(), poll.group().topic(), messages.stream().map(PoppedMessage::handle).toList())
            .exceptionally(e -> null);
    }

    /**
     * Gives back messages that reached no client. They are not a delivery, so they must not spend the
     * group's retry budget (maxRetries) nor show in the next deliveryCount. Plain POP messages go back
     * with the broker's "suspend" flag, which keeps their reconsumeTimes. Queue-held ones are counted by
     * the broker at their next pop unless it names the attemptId that took them: this instance's next pop
     * for the group does ({@link HeldQueueAttempts}); another instance's pop still counts it.
     */
    private CompletableFuture<Void> giveBack(String brokerGroup, String topic, List<ReceiptHandle> handles) {
        return broker.giveBackUndelivered(brokerGroup, topic, handles).thenApply(renewed -> {
            // Queue-held groups: the broker ignores the flag; the next pop takes the queue back uncounted.
            heldAttempts.givenBack(brokerGroup, handles);
            return null;
        });
    }
}
