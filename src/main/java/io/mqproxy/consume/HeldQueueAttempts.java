package io.mqproxy.consume;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqproxy.broker.BrokerQueue;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.broker.ReceiptHandle;
import java.time.Duration;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Keeps a queue-held batch that went back without reaching a client from counting as a delivery.
 *
 * <p>RocketMQ 5.5 counts orderly deliveries per offset in the broker's order info
 * ({@code QueueLevelConsumerManager.OrderInfo.mergeOffsetConsumedCount}): each pop of a queue whose offsets
 * are still unacked adds one to their count, unless the pop names the attemptId of the pop before. The
 * "suspend" flag that keeps a plain POP give-back uncounted is ignored for orderly messages
 * ({@code ChangeInvisibleTimeProcessor.processChangeInvisibleTimeForOrder}). So each orderly pop gets a
 * fresh attemptId, remembered here with its queues until its answer is out; a batch given back
 * undelivered leaves a hint (queue, attemptId), and this instance's next pop for the group first pops that
 * queue under that attemptId: the broker hands back the same offsets with their count unchanged.
 *
 * <p>A hint is this instance's alone (the proxy keeps no shared consumer state): when another instance, or a
 * pop without the hint, takes the queue first, the broker counts the give-back, as it did before.
 * A hint is used once: a later pop under the same attemptId would be handed a batch a client holds.
 */
final class HeldQueueAttempts {
    /** Hints kept per consumer group (one per queue given back; a group has a few queues). */
    private static final int MAX_HINTS_PER_GROUP = 64;

    /** A queue given back undelivered, and the attemptId that popped it. */
    record Hint(BrokerQueue queue, String attemptId) {
    }

    /** One orderly pop's take from one queue: its messages share broker, queue and popTime. */
    private record QueuePop(String brokerName, int queueId, long popTime) {
        static QueuePop of(ReceiptHandle h) {
            return new QueuePop(h.brokerName(), h.queueId(), h.popTime());
        }
    }

    /** What one orderly pop took from one queue: under which attemptId, how many messages. */
    private record Take(String attemptId, int messages) {
    }

    /** Until the answer is out (a give-back of an undelivered batch follows its pop within seconds). */
    private final Cache<QueuePop, Take> issued = Caffeine.newBuilder()
        .maximumSize(20_000)
        .expireAfterWrite(Duration.ofSeconds(60))
        .executor(Runnable::run)
        .build();
    /** A paused group may stay paused for long: its hints wait for the resume, within bounds. */
    private final Cache<String, Deque<Hint>> hints = Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterAccess(Duration.ofHours(1))
        .executor(Runnable::run)
        .build();

    String newAttempt() {
        return UUID.randomUUID().toString();
    }

    /** An orderly pop under {@code attemptId} brought these messages. */
    void issued(String attemptId, List<PoppedMessage> messages) {
        Map<QueuePop, Integer> perQueue = new LinkedHashMap<>();
        for (PoppedMessage m : messages) {
            perQueue.merge(QueuePop.of(m.handle()), 1, Integer::sum);
        }
        perQueue.forEach((pop, n) -> issued.put(pop, new Take(attemptId, n)));
    }

    /**
     * These messages went back to the broker without reaching a client. Only a queue's whole take leaves a
     * hint: while a client holds part of it, a pop under its attemptId would be handed that part too.
     */
    void givenBack(String brokerGroup, List<ReceiptHandle> handles) {
        Map<QueuePop, Integer> perQueue = new LinkedHashMap<>();
        for (ReceiptHandle h : handles) {
            perQueue.merge(QueuePop.of(h), 1, Integer::sum);
        }
        Map<QueuePop, String> taken = new LinkedHashMap<>();
        perQueue.forEach((pop, n) -> {
            Take take = issued.getIfPresent(pop);
            if (take != null && take.messages() == n) {
                taken.put(pop, take.attemptId());
            }
        });
        if (taken.isEmpty()) {
            return;
        }
        Deque<Hint> group = hints.get(brokerGroup, g -> new ConcurrentLinkedDeque<>());
        taken.forEach((pop, attemptId) -> {
            issued.invalidate(pop);
            group.addLast(new Hint(new BrokerQueue(pop.brokerName(), pop.queueId()), attemptId));
        });
        while (group.size() > MAX_HINTS_PER_GROUP) {
            group.pollFirst();
        }
    }

    /** The next queue to pop again under its old attemptId, or null; each hint is handed out once. */
    Hint take(String brokerGroup) {
        Deque<Hint> group = hints.getIfPresent(brokerGroup);
        return group == null ? null : group.pollFirst();
    }
}
