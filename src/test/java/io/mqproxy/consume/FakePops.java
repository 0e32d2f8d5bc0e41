package io.mqproxy.consume;

import io.mqproxy.broker.BrokerQueue;
import io.mqproxy.broker.PopOutcome;
import io.mqproxy.broker.Pops;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.config.SubscriptionFilter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * A broker's POP interface in memory, for the consume rules' unit tests: messages stored with {@link #store}
 * are popped in order (their handles expire by the test's clock, as the broker's by its own); a pop that may
 * wait and finds nothing is held until {@link #arrive} answers it. Every ack and give-back is recorded.
 */
final class FakePops implements Pops {
    private final Clock clock;
    private final Deque<String> stored = new ArrayDeque<>();
    private final AtomicLong offsets = new AtomicLong();
    /** Pops that wait at the "broker" for a message. */
    final List<CompletableFuture<PopOutcome>> waiting = new ArrayList<>();
    final List<ReceiptHandle> acked = new ArrayList<>();
    final List<ReceiptHandle> released = new ArrayList<>();
    final List<ReceiptHandle> givenBack = new ArrayList<>();
    int pops;

    FakePops(Clock clock) {
        this.clock = clock;
    }

    synchronized void store(String... bodies) {
        stored.addAll(List.of(bodies));
    }

    /** Answers the oldest waiting pop with these messages (popped for it, as the broker does on arrival). */
    void arrive(String... bodies) {
        CompletableFuture<PopOutcome> pop;
        PopOutcome outcome;
        synchronized (this) {
            pop = waiting.remove(0);
            List<PoppedMessage> messages = new ArrayList<>();
            for (String body : bodies) {
                messages.add(message(body, 30_000));
            }
            outcome = new PopOutcome(PopOutcome.Kind.FOUND, messages);
        }
        pop.complete(outcome);
    }

    synchronized int waitingPops() {
        return waiting.size();
    }

    private PoppedMessage message(String body, long invisibleMillis) {
        long offset = offsets.getAndIncrement();
        ReceiptHandle handle = new ReceiptHandle(offset, clock.millis(), invisibleMillis, 0, "0", "broker-a", 0, offset);
        return new PoppedMessage("id-" + offset, body.getBytes(StandardCharsets.UTF_8), clock.millis(), null, null,
            Map.of(), 0, handle);
    }

    @Override
    public CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis, long pollMillis,
                                             boolean orderly, int maxRetries, SubscriptionFilter filter) {
        return pop(group, topic, max, invisibleMillis, pollMillis, orderly, maxRetries, null, null, filter);
    }

    @Override
    public synchronized CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                                          long pollMillis, boolean orderly, int maxRetries,
                                                          String attemptId, BrokerQueue queue, SubscriptionFilter filter) {
        pops++;
        List<PoppedMessage> messages = new ArrayList<>();
        while (!stored.isEmpty() && messages.size() < Math.min(max, MAX_PER_POP)) {
            messages.add(message(stored.poll(), invisibleMillis));
        }
        if (!messages.isEmpty()) {
            return CompletableFuture.completedFuture(new PopOutcome(PopOutcome.Kind.FOUND, messages));
        }
        if (pollMillis == 0) {
            return CompletableFuture.completedFuture(PopOutcome.none(PopOutcome.Kind.NO_NEW_MSG));
        }
        CompletableFuture<PopOutcome> pending = new CompletableFuture<>();
        waiting.add(pending);
        return pending;
    }

    @Override
    public synchronized CompletableFuture<Void> ack(String group, String topic, List<ReceiptHandle> handles) {
        acked.addAll(handles);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<List<ReceiptHandle>> changeInvisibleTime(String group, String topic,
                                                                                   List<ReceiptHandle> handles,
                                                                                   long invisibleMillis) {
        released.addAll(handles);
        return CompletableFuture.completedFuture(handles);
    }

    @Override
    public synchronized CompletableFuture<List<ReceiptHandle>> giveBackUndelivered(String group, String topic,
                                                                                   List<ReceiptHandle> handles) {
        givenBack.addAll(handles);
        return CompletableFuture.completedFuture(handles);
    }

    @Override
    public void onDeadLettered(ObjIntConsumer<String> listener) {
    }

    @Override
    public long deadLettersDeferred() {
        return 0;
    }
}
