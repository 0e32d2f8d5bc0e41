package io.mqproxy.consume;

import io.mqproxy.log.TraceIds;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounds the long polls that wait at the broker for one consumer group. The broker holds at most
 * 1024 waiting pops per group and queue, and answers the rest "polling full" at once; without a
 * gate, thousands of idle HTTP polls would spin on that answer. Past the bound, polls wait here
 * (a future each, no thread) for a turn; when a waiting pop finds messages, a few queued polls are
 * woken to pop at once, so a burst is not served one slice at a time.
 *
 * <p>A queued poll whose deadline passes is answered by one sweep of the queues every
 * {@value #EXPIRY_SWEEP_MILLIS} ms, on the gate's own thread, rather than by a timer of its own: a
 * timer per poll cost as much memory as the poll's place in the queue, times tens of thousands.
 */
final class LongPollGate implements AutoCloseable {
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
    /** How late past its deadline a queued poll may be answered. */
    static final long EXPIRY_SWEEP_MILLIS = 100;

    private final int slotsPerGroup;
    private final Map<String, Gate> gates = new HashMap<>();
    private final ScheduledExecutorService expiry;

    LongPollGate(int slotsPerGroup, ThreadPools pools) {
        this.slotsPerGroup = slotsPerGroup;
        this.expiry = pools.scheduler("longpoll-expiry", 16);
        expiry.scheduleWithFixedDelay(this::expireDue, EXPIRY_SWEEP_MILLIS, EXPIRY_SWEEP_MILLIS,
            TimeUnit.MILLISECONDS);
    }

    private static final class Gate {
        int busy;
        final Deque<Waiter> queue = new ArrayDeque<>();
    }

    /** {@code traceId}: the waiting request's logging trace id, or null. */
    private record Waiter(CompletableFuture<Grant> turn, BooleanSupplier gone, long deadlineNanos, String traceId) {
        /**
         * Gives the turn: the poll's next step runs now, on this thread, under its own request's trace id (not
         * under the one of the poll or sweep that let it in).
         */
        boolean complete(Grant grant) {
            try (TraceIds.Scope ignored = TraceIds.as(traceId)) {
                return turn.complete(grant);
            }
        }
    }

    /** A turn to wait at the broker for {@code group}, or a reason not to, by {@code deadlineNanos}. */
    CompletableFuture<Grant> enter(String group, long deadlineNanos, BooleanSupplier clientGone) {
        synchronized (gates) {
            Gate gate = gates.computeIfAbsent(group, g -> new Gate());
            if (gate.busy < slotsPerGroup) {
                gate.busy++;
                return CompletableFuture.completedFuture(Grant.WAIT);
            }
            CompletableFuture<Grant> turn = new CompletableFuture<>();
            gate.queue.addLast(new Waiter(turn, clientGone, deadlineNanos, TraceIds.current()));
            return turn;
        }
    }

    /** Queued polls whose deadline has passed leave the queue and get {@link Grant#NONE}. */
    void expireDue() {
        long now = System.nanoTime();
        List<Waiter> expired = new ArrayList<>();
        synchronized (gates) {
            for (Gate gate : gates.values()) {
                if (!gate.queue.isEmpty()) {
                    gate.queue.removeIf(w -> {
                        boolean due = now - w.deadlineNanos >= 0;
                        if (due) {
                            expired.add(w);
                        }
                        return due;
                    });
                }
            }
        }
        expired.forEach(w -> w.complete(Grant.NONE));
    }

    @Override
    public void close() {
        expiry.shutdownNow();
    }

    /** A poll that held a {@link Grant#WAIT} slot is back from the broker; {@code found}: it got messages. */
    void leave(String group, boolean found) {
        Wakeups wakeups = new Wakeups();
        Waiter heir;
        synchronized (gates) {
            Gate gate = gates.get(group);
            if (gate == null) {
                return;
            }
            if (found) {
                wakeups.take(gate, WAKE_ON_FOUND);
            }
            heir = wakeups.next(gate);
            if (heir == null) {
                gate.busy--;
                if (gate.busy == 0 && gate.queue.isEmpty()) {
                    gates.remove(group);
                }
            }
        }
        // Completing a turn runs the poll's next step (a pop): never while holding the lock.
        wakeups.complete();
        if (heir != null && !heir.complete(Grant.WAIT)) {
            // Only the gate completes turns, under its lock or after taking the waiter off the queue, so this
            // is a guard: were the turn taken meanwhile, the slot would go to the next in line, or be freed.
            leave(group, false);
        }
    }

    /** An {@link Grant#IMMEDIATE} pop found messages: there may be more, so wake a few more polls. */
    void found(String group) {
        Wakeups wakeups = new Wakeups();
        synchronized (gates) {
            Gate gate = gates.get(group);
            if (gate != null) {
                wakeups.take(gate, WAKE_ON_FOUND);
            }
        }
        wakeups.complete();
    }

    /** Polls queued for the matching groups stop waiting (e.g. the group was paused): they get NONE. */
    void dismiss(java.util.function.Predicate<String> groups) {
        List<Waiter> dismissed = new ArrayList<>();
        synchronized (gates) {
            gates.forEach((group, gate) -> {
                if (groups.test(group)) {
                    dismissed.addAll(gate.queue);
                    gate.queue.clear();
                }
            });
        }
        dismissed.forEach(w -> w.complete(Grant.NONE));
    }

    /** Polls waiting at the broker now (holding a slot), for the metrics. */
    int waitingAtBroker() {
        synchronized (gates) {
            int n = 0;
            for (Gate g : gates.values()) {
                n += g.busy;
            }
            return n;
        }
    }

    /** Polls waiting here for a turn now (those past their deadline until the next sweep included). */
    int waitingHere() {
        synchronized (gates) {
            int n = 0;
            for (Gate g : gates.values()) {
                n += g.queue.size();
            }
            return n;
        }
    }

    /** Waiters taken off a queue under the lock, to be completed after it is released. */
    private static final class Wakeups {
        private final List<Waiter> immediate = new ArrayList<>();
        private final List<Waiter> departed = new ArrayList<>();

        /** Takes up to {@code count} live waiters to pop at once. */
        void take(Gate gate, int count) {
            for (int i = 0; i < count; i++) {
                Waiter w = next(gate);
                if (w == null) {
                    return;
                }
                immediate.add(w);
            }
        }

        /** The next waiter whose client is still there, or null; those who left are set aside to answer. */
        Waiter next(Gate gate) {
            while (!gate.queue.isEmpty()) {
                Waiter w = gate.queue.pollFirst();
                if (w.gone.getAsBoolean()) {
                    departed.add(w);
                    continue;
                }
                return w;
            }
            return null;
        }

        void complete() {
            departed.forEach(w -> w.complete(Grant.NONE));
            immediate.forEach(w -> w.complete(Grant.IMMEDIATE));
        }
    }
}
