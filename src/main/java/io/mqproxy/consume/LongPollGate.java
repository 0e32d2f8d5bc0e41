package io.mqproxy.consume;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounds the long polls that wait at the broker for one consumer group. The broker holds at most
 * 1024 waiting pops per group and queue, and answers the rest "polling full" at once; without a
 * gate, thousands of idle HTTP polls would spin on that answer. Past the bound, polls wait here
 * (a future each, no thread) for a turn; when a waiting pop finds messages, a few queued polls are
 * woken to pop at once, so a burst is not served one slice at a time.
 */
final class LongPollGate {
    /** How a queued poll may go on. */
    enum Grant {
        /** Wait at the broker (holds one of the group's slots until it returns). */
        WAIT,
        /** Pop without waiting: messages just arrived. */
        IMMEDIATE,
        /** The poll's deadline passed, or its client left, while it was queued. */
        NONE
    }

    private static final int WAKE_ON_FOUND = 4;
    /** Queued polls that timed out are dropped lazily; past this many queued, also eagerly. */
    private static final int PURGE_AT = 1024;

    private final int slotsPerGroup;
    private final Map<String, Gate> gates = new HashMap<>();

    LongPollGate(int slotsPerGroup) {
        this.slotsPerGroup = slotsPerGroup;
    }

    private static final class Gate {
        int busy;
        final Deque<Waiter> queue = new ArrayDeque<>();
    }

    private record Waiter(CompletableFuture<Grant> turn, BooleanSupplier gone) {
    }

    /** A turn to wait at the broker for {@code group}, or a reason not to, by {@code deadlineNanos}. */
    CompletableFuture<Grant> enter(String group, long deadlineNanos, BooleanSupplier clientGone) {
        synchronized (gates) {
            Gate gate = gates.computeIfAbsent(group, g -> new Gate());
            if (gate.busy < slotsPerGroup) {
                gate.busy++;
                return CompletableFuture.completedFuture(Grant.WAIT);
            }
            if (gate.queue.size() >= PURGE_AT && gate.queue.size() % PURGE_AT == 0) {
                gate.queue.removeIf(w -> w.turn.isDone());
            }
            CompletableFuture<Grant> turn = new CompletableFuture<>();
            gate.queue.addLast(new Waiter(turn, clientGone));
            long remaining = Math.max(0, deadlineNanos - System.nanoTime());
            turn.completeOnTimeout(Grant.NONE, remaining, TimeUnit.NANOSECONDS);
            return turn;
        }
    }

    /** A poll that held a {@link Grant#WAIT} slot is back from the broker; {@code found}: it got messages. */
    void leave(String group, boolean found) {
        synchronized (gates) {
            Gate gate = gates.get(group);
            if (gate == null) {
                return;
            }
            if (found) {
                wake(gate, WAKE_ON_FOUND, Grant.IMMEDIATE);
            }
            if (wake(gate, 1, Grant.WAIT) == 0) {
                gate.busy--;
            }
            if (gate.busy == 0 && gate.queue.isEmpty()) {
                gates.remove(group);
            }
        }
    }

    /** An {@link Grant#IMMEDIATE} pop found messages: there may be more, so wake a few more polls. */
    void found(String group) {
        synchronized (gates) {
            Gate gate = gates.get(group);
            if (gate != null) {
                wake(gate, WAKE_ON_FOUND, Grant.IMMEDIATE);
            }
        }
    }

    private static int wake(Gate gate, int count, Grant grant) {
        int woken = 0;
        while (woken < count && !gate.queue.isEmpty()) {
            Waiter w = gate.queue.pollFirst();
            if (w.gone.getAsBoolean()) {
                w.turn.complete(Grant.NONE);
            } else if (w.turn.complete(grant)) {
                woken++;
            }
        }
        return woken;
    }
}
