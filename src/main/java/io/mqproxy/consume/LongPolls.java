package io.mqproxy.consume;

import io.mqproxy.broker.BrokerQueue;
import io.mqproxy.broker.PopOutcome;
import io.mqproxy.broker.Pops;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.TraceIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Long-poll orchestration: pops for a planned poll until messages come or its pullTimeout passes, in slices
 * at the broker and turns at the {@link LongPollGate}; answers early when the proxy stops; gives back what a
 * pop brings for a client that left or a group paused meanwhile.
 */
final class LongPolls {
    private static final long POLLING_FULL_BACKOFF_MILLIS = 200;
    /** Less time than this left: pop once without waiting. */
    private static final long MIN_WAIT_MILLIS = 50;

    private final Pops broker;
    private final PollPlanner planner;
    private final Settlements settlements;
    private final LongPollGate gate;
    private final HeldQueueAttempts heldAttempts;
    private final ProxyConfig.Consume settings;
    private volatile boolean stopping;
    /** Long polls waiting for messages: {@link #stopWaiting()} answers them. */
    private final Set<Answer<?>> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger fetchesUnfinished = new AtomicInteger();

    LongPolls(Pops broker, PollPlanner planner, Settlements settlements, LongPollGate gate,
              HeldQueueAttempts heldAttempts, ProxyConfig.Consume settings) {
        this.broker = broker;
        this.planner = planner;
        this.settlements = settlements;
        this.gate = gate;
        this.heldAttempts = heldAttempts;
        this.settings = settings;
    }

    /**
     * What a poll's messages become once fetched. One stage on the fetch, not several: a long poll keeps each
     * stage of its chain in memory while it waits, ten thousand idle polls as many times over.
     *
     * @param stoppable whether {@link #stopWaiting()} answers the poll at once (with no messages) while it waits
     */
    <T> CompletableFuture<T> answer(Poll poll, CompletableFuture<List<PoppedMessage>> fetching,
                                    boolean stoppable, Function<List<PoppedMessage>, T> delivered,
                                    Supplier<T> paused) {
        Answer<T> answer = new Answer<>(poll, delivered, paused);
        if (stoppable && poll.pullSeconds() > 0 && !fetching.isDone()) {
            fetchesUnfinished.incrementAndGet();
            waiting.add(answer);
            answer.stoppable = true;
            if (stopping) {
                answer.stopWaiting();
            }
        }
        fetching.whenComplete(answer);
        return answer;
    }

    /**
     * A poll's answer, given when its fetch completes, or earlier (no messages) when the proxy stops. What the
     * fetch brings when the answer was given already, or when the group was paused (or removed) while the poll
     * waited, goes back to the broker at once; the answer is then {@code paused}.
     */
    private final class Answer<T> extends CompletableFuture<T> implements BiConsumer<List<PoppedMessage>, Throwable> {
        private final Poll poll;
        private final Function<List<PoppedMessage>, T> delivered;
        private final Supplier<T> paused;
        /** Registered in {@link #waiting} (and counted in fetchesUnfinished) until the fetch completes. */
        private boolean stoppable;

        Answer(Poll poll, Function<List<PoppedMessage>, T> delivered, Supplier<T> paused) {
            this.poll = poll;
            this.delivered = delivered;
            this.paused = paused;
        }

        void stopWaiting() {
            complete(delivered.apply(List.of()));
        }

        @Override
        public void accept(List<PoppedMessage> messages, Throwable failure) {
            if (stoppable) {
                waiting.remove(this);
            }
            CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
            if (failure != null) {
                completeExceptionally(failure);
            } else if (isDone()) {
                settled = settlements.giveBack(poll, messages, Settlements.GIVEN_BACK_STOPPING);
            } else if (planner.halted(poll)) {
                settled = settlements.giveBack(poll, messages, Settlements.GIVEN_BACK_PAUSED)
                    .whenComplete((v, e) -> complete(paused.get()));
            } else {
                planner.delivered(poll, messages.size());
                try {
                    if (!complete(delivered.apply(messages))) {
                        // the proxy stopped meanwhile and answered first
                        settled = settlements.giveBack(poll, messages, Settlements.GIVEN_BACK_STOPPING);
                    }
                } catch (RuntimeException e) {
                    completeExceptionally(e);
                }
            }
            if (stoppable) {
                settled.whenComplete((v, e) -> fetchesUnfinished.decrementAndGet());
            }
        }
    }

    /** The proxy is stopping: waiting long polls answer now, others at their next turn. */
    void stopWaiting() {
        stopping = true;
        waiting.forEach(Answer::stopWaiting);
    }

    /** Fetches whose pops are still out (answered at stop or not): what they take is yet to be settled. */
    int fetchesUnfinished() {
        return fetchesUnfinished.get();
    }

    /**
     * Pops until a message comes or the deadline passes. Each wait at the broker is bounded by a
     * slice, so a wake-up the broker misses costs at most one slice, and by the gate, so idle polls
     * beyond the broker's limit wait here instead of spinning on "polling full".
     */
    CompletableFuture<List<PoppedMessage>> fetch(Poll poll, long deadlineNanos) {
        long remainingMillis = millisLeft(deadlineNanos);
        if (!mayTake(poll)) {
            return nothing();
        }
        if (remainingMillis < MIN_WAIT_MILLIS) {
            return pop(poll, 0).thenCompose(outcome -> deliver(poll, outcome, LongPolls::nothing));
        }
        return gate.enter(poll.brokerGroup(), deadlineNanos, poll.clientGone()).thenCompose(grant -> switch (grant) {
            case NONE -> nothing();
            // A turn may come long after the poll queued for it: checked again, as a take would have to be given back.
            case IMMEDIATE, WAIT -> takeTurn(poll, grant, deadlineNanos);
        });
    }

    /**
     * Whether a pop may take messages for this poll now: not once the proxy stops, the group is paused or
     * gone, or the client left. What a pop takes after that has to be given back; checked before each pop,
     * as a pop the broker holds cannot be called off.
     */
    private boolean mayTake(Poll poll) {
        return !stopping && !planner.halted(poll) && !poll.clientGone().getAsBoolean();
    }

    private CompletableFuture<List<PoppedMessage>> takeTurn(Poll poll, LongPollGate.Grant grant, long deadlineNanos) {
        if (!mayTake(poll)) {
            if (grant == LongPollGate.Grant.WAIT) {
                gate.leave(poll.brokerGroup(), false);
            }
            return nothing();
        }
        return switch (grant) {
            case NONE -> nothing();
            case IMMEDIATE -> pop(poll, 0).thenCompose(outcome -> {
                if (mayHaveMore(poll, outcome)) {
                    gate.found(poll.brokerGroup());
                }
                return deliver(poll, outcome, () -> fetch(poll, deadlineNanos));
            });
            // What is left when the turn comes: a poll may have been queued for most of its pullTimeout.
            case WAIT -> pop(poll, Math.min(Math.max(0, millisLeft(deadlineNanos)), slice()))
                .whenComplete((outcome, failure) -> gate.leave(poll.brokerGroup(), mayHaveMore(poll, outcome)))
                .thenCompose(outcome -> deliver(poll, outcome, () -> fetch(poll, deadlineNanos)));
        };
    }

    private static long millisLeft(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    /**
     * A pop that came back full may have left messages behind, so queued polls are woken to take them;
     * one that came back with fewer took what the broker had, and later arrivals wake the polls waiting
     * at the broker. Waking queued polls for a lone message cost four empty pops each time.
     */
    private static boolean mayHaveMore(Poll poll, PopOutcome outcome) {
        return outcome != null && outcome.kind() == PopOutcome.Kind.FOUND
            && outcome.messages().size() >= Math.min(poll.maxMessages(), Pops.MAX_PER_POP);
    }

    /**
     * One wait at the broker: between three quarters of the slice and the whole of it. Polls that began
     * together (clients started at once, a burst answered) would otherwise all come back from the
     * broker together, every slice, and a message arriving then would queue behind hundreds of pops.
     */
    private long slice() {
        long slice = settings.longPollSliceMillis();
        return ThreadLocalRandom.current().nextLong(slice - slice / 4, slice + 1);
    }

    private CompletableFuture<PopOutcome> pop(Poll poll, long pollMillis) {
        if (poll.group().pop()) {
            return broker.pop(poll.brokerGroup(), poll.group().topic(), poll.maxMessages(), poll.invisibleMillis(),
                pollMillis, false, poll.group().settings().maxRetries(), poll.group().filter());
        }
        HeldQueueAttempts.Hint hint = heldAttempts.take(poll.brokerGroup());
        if (hint == null) {
            return popHeld(poll, pollMillis, heldAttempts.newAttempt(), null);
        }
        // A queue given back undelivered first, under the attempt that took it: its messages keep their count.
        // Empty when another pop took the queue meanwhile (the broker then blocks this attemptId): pop as usual.
        return popHeld(poll, 0, hint.attemptId(), hint.queue())
            .handle((outcome, failure) -> failure == null && outcome.kind() == PopOutcome.Kind.FOUND
                ? CompletableFuture.completedFuture(outcome)
                : popHeld(poll, pollMillis, heldAttempts.newAttempt(), null))
            .thenCompose(next -> next);
    }

    /** An orderly pop under an attemptId of its own (see {@link HeldQueueAttempts}). */
    private CompletableFuture<PopOutcome> popHeld(Poll poll, long pollMillis, String attemptId, BrokerQueue queue) {
        return broker.pop(poll.brokerGroup(), poll.group().topic(), poll.maxMessages(), poll.invisibleMillis(), pollMillis,
                true, poll.group().settings().maxRetries(), attemptId, queue, poll.group().filter())
            .thenApply(outcome -> {
                heldAttempts.issued(attemptId, outcome.messages());
                return outcome;
            });
    }

    /** What to do with a pop's outcome: deliver it, report a pause, or go on waiting. */
    private CompletableFuture<List<PoppedMessage>> deliver(Poll poll, PopOutcome outcome,
                                                           Supplier<CompletableFuture<List<PoppedMessage>>> waitMore) {
        if (poll.clientGone().getAsBoolean()) {
            return settlements.giveBack(poll, outcome.messages(), Settlements.GIVEN_BACK_CLIENT_GONE)
                .thenApply(v -> List.<PoppedMessage>of());
        }
        switch (outcome.kind()) {
            case FOUND:
                return topUp(poll, new ArrayList<>(outcome.messages()));
            case POLLING_FULL:
                // Another instance holds the broker's waiting slots: try again shortly.
                Executor later = CompletableFuture.delayedExecutor(POLLING_FULL_BACKOFF_MILLIS, TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(TraceIds.carry(waitMore), later).thenCompose(next -> next);
            default:
                return waitMore.get();
        }
    }

    private static CompletableFuture<List<PoppedMessage>> nothing() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * A broker pop returns at most 32: more are popped at once, without waiting, up to maxPullSize.
     * Not in queue-held mode: each orderly pop holds every queue it took from until the batch is
     * acked, so topping up would let one client hold the whole group.
     */
    private CompletableFuture<List<PoppedMessage>> topUp(Poll poll, List<PoppedMessage> got) {
        int missing = poll.maxMessages() - got.size();
        if (missing <= 0 || got.size() % Pops.MAX_PER_POP != 0 || !poll.group().pop() || !mayTake(poll)) {
            return CompletableFuture.completedFuture(got);
        }
        return broker.pop(poll.brokerGroup(), poll.group().topic(), missing, poll.invisibleMillis(), 0, !poll.group().pop(),
                poll.group().settings().maxRetries(), poll.group().filter())
            .handle((outcome, failure) -> {
                if (failure == null && outcome.kind() == PopOutcome.Kind.FOUND) {
                    got.addAll(outcome.messages());
                    return topUp(poll, got);
                }
                return CompletableFuture.completedFuture(got);
            })
            .thenCompose(f -> f);
    }
}
