package io.mqproxy.broker;

import io.mqproxy.log.TraceIds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Turns concurrent single sends into broker batches without adding delay at low load. Sends are grouped in
 * lanes (a topic, and the queue when the message picked one). A lane sends at once while fewer than
 * {@code sendsPerLane} sends of it are in flight; a message that comes while they all are waits, and when one
 * of them is answered, everything waiting (up to {@code maxBatchBytes}) goes as one batch request. So a lone
 * client never waits for a timer (RocketMQ's own auto-batch holds every message for at least 1 ms, 10 ms by
 * default), and under load the broker gets one request per batch instead of one per message.
 *
 * <p>A batch is one request and one store append: it is stored whole or not at all, so its outcome is every
 * member's outcome, and each member still gets its own msgId, queue and offset. A lane sends its messages
 * in the order they came, and with one send in flight per queue-lane that is also the order of storage.
 * Each message's sender is answered under its own logging trace id, not under the one of whoever sent the batch.
 */
final class SendCoalescer {
    /** One send request: a message alone or a batch, to the lane's queue (or any queue when it has none). */
    interface Sender {
        /**
         * Sends the messages (one topic, in this order) without blocking, and calls {@code done} once, with
         * a receipt per message or a failure.
         */
        void send(MessageQueue queue, List<Message> messages, BiConsumer<List<SendReceipt>, Throwable> done);
    }

    /** Where a message goes: its topic, and its queue if an orderId or roundRobin picked one. */
    record Lane(String topic, MessageQueue queue) {
    }

    /** {@code traceId}: the sending request's logging trace id, or null. */
    private record Waiting(Message message, int bytes, CompletableFuture<SendReceipt> result, String traceId) {
    }

    private final Sender sender;
    private final int sendsPerLane;
    private final int maxBatchBytes;
    private final int maxWaiting;
    /** Messages waiting in all lanes; past {@link #maxWaiting} a message is sent on its own. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Messages that went to the broker in a batch with others. */
    private final java.util.concurrent.atomic.LongAdder batched = new java.util.concurrent.atomic.LongAdder();
    /** Batch requests of more than one message. */
    private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
    /** Bounded by topics in use times their queues. */
    private final Map<Lane, LaneState> lanes = new ConcurrentHashMap<>();

    /**
     * @param sendsPerLane  sends of one lane in flight at once before messages wait to go as a batch
     * @param maxBatchBytes a batch's estimated size at most (a bigger message goes alone)
     * @param maxWaiting    messages waiting in all lanes at most
     */
    SendCoalescer(Sender sender, int sendsPerLane, int maxBatchBytes, int maxWaiting) {
        this.sender = sender;
        this.sendsPerLane = sendsPerLane;
        this.maxBatchBytes = maxBatchBytes;
        this.maxWaiting = maxWaiting;
    }

    /** Sends the message in its lane; {@code bytes} is its estimated share of a batch request. */
    CompletableFuture<SendReceipt> send(Lane lane, Message message, int bytes) {
        LaneState state = lanes.computeIfAbsent(lane, LaneState::new);
        Waiting entry = new Waiting(message, bytes, new CompletableFuture<>(), TraceIds.current());
        boolean now = false;
        boolean alone = false;
        synchronized (state) {
            if (state.sending < sendsPerLane) {
                state.sending++;
                now = true;
            } else if (waiting.incrementAndGet() <= maxWaiting) {
                state.queue.add(entry);
            } else {
                waiting.decrementAndGet();
                alone = true;
            }
        }
        if (now) {
            dispatch(state, List.of(entry));
        } else if (alone) {
            // Outside the lane's count: the bound on what waits matters more than one extra request.
            sender.send(lane.queue(), List.of(message), (receipts, failure) -> complete(List.of(entry), receipts,
                failure));
        }
        return entry.result();
    }

    private void dispatch(LaneState state, List<Waiting> batch) {
        if (batch.size() > 1) {
            batched.add(batch.size());
            batches.increment();
        }
        List<Message> messages = new ArrayList<>(batch.size());
        batch.forEach(w -> messages.add(w.message()));
        sender.send(state.lane.queue(), messages, (receipts, failure) -> finished(state, batch, receipts, failure));
    }

    private void finished(LaneState state, List<Waiting> batch, List<SendReceipt> receipts, Throwable failure) {
        List<Waiting> next;
        synchronized (state) {
            next = state.takeBatch();
            if (next == null) {
                state.sending--;
            }
        }
        // The next batch leaves before this one's callers run: their continuations may take a while.
        if (next != null) {
            waiting.addAndGet(-next.size());
            dispatch(state, next);
        }
        complete(batch, receipts, failure);
    }

    private static void complete(List<Waiting> batch, List<SendReceipt> receipts, Throwable failure) {
        if (failure == null && (receipts == null || receipts.size() != batch.size())) {
            failure = new IllegalStateException("the broker answered " + (receipts == null ? 0 : receipts.size())
                + " receipts for a batch of " + batch.size());
        }
        for (int i = 0; i < batch.size(); i++) {
            Waiting w = batch.get(i);
            try (TraceIds.Scope ignored = TraceIds.as(w.traceId())) {
                if (failure == null) {
                    w.result().complete(receipts.get(i));
                } else {
                    w.result().completeExceptionally(failure);
                }
            }
        }
    }

    /** Messages sent in a batch with others so far. */
    long batchedMessages() {
        return batched.sum();
    }

    /** Batch requests of more than one message so far. */
    long batches() {
        return batches.sum();
    }

    /** Messages waiting now, in all lanes (for tests and meters). */
    int waiting() {
        return waiting.get();
    }

    private final class LaneState {
        final Lane lane;
        /** Guarded by this. */
        int sending;
        /** Guarded by this; bounded by {@link #maxWaiting} over all lanes. */
        final ArrayDeque<Waiting> queue = new ArrayDeque<>();

        LaneState(Lane lane) {
            this.lane = lane;
        }

        /** The oldest waiting messages that fit one batch, in order, or null if none wait. Under this's lock. */
        List<Waiting> takeBatch() {
            if (queue.isEmpty()) {
                return null;
            }
            List<Waiting> batch = new ArrayList<>(Math.min(queue.size(), 256));
            long size = 0;
            while (!queue.isEmpty()) {
                Waiting w = queue.peek();
                if (!batch.isEmpty() && size + w.bytes() > maxBatchBytes) {
                    break;
                }
                size += w.bytes();
                batch.add(queue.poll());
            }
            return batch;
        }
    }
}
