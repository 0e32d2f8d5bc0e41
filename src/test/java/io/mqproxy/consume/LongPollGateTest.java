package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.log.TraceIds;
import io.mqproxy.threads.ThreadPools;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LongPollGateTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    /**
     * A turn handed out runs the poll's next step on the thread that hands it out. That step must not
     * hold the gate's lock: another group's poll (another thread) must get through meanwhile.
     */
    @Test
    void turnsAreGrantedOutsideTheLock() throws Exception {
        LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered());
        assertThat(gate.enter("g", System.nanoTime() + MINUTE, () -> false).join()).isEqualTo(LongPollGate.Grant.WAIT);
        CompletableFuture<LongPollGate.Grant> queued = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
        CompletableFuture<LongPollGate.Grant> queuedToo = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
        AtomicBoolean otherGotThrough = new AtomicBoolean();
        queued.thenRun(() -> {
            Thread other = new Thread(() -> gate.enter("h", System.nanoTime() + MINUTE, () -> false).join());
            other.start();
            try {
                other.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            otherGotThrough.set(!other.isAlive());
        });

        gate.leave("g", false);

        // The slot passed to the first in line; the second waits on.
        assertThat(queued).isCompletedWithValue(LongPollGate.Grant.WAIT);
        assertThat(otherGotThrough).as("another thread entered the gate while a turn's step ran").isTrue();
        assertThat(queuedToo).isNotDone();
    }

    @Test
    void aWaiterWhoseClientLeft_getsNone_andTheSlotGoesOn() {
        LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered());
        gate.enter("g", System.nanoTime() + MINUTE, () -> false).join();
        CompletableFuture<LongPollGate.Grant> gone = gate.enter("g", System.nanoTime() + MINUTE, () -> true);
        CompletableFuture<LongPollGate.Grant> next = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
        gate.leave("g", false);
        assertThat(gone).isCompletedWithValue(LongPollGate.Grant.NONE);
        assertThat(next).isCompletedWithValue(LongPollGate.Grant.WAIT);
    }

    @Test
    void messagesFound_wakeQueuedPollsToPopAtOnce() {
        LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered());
        gate.enter("g", System.nanoTime() + MINUTE, () -> false).join();
        CompletableFuture<LongPollGate.Grant> a = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
        CompletableFuture<LongPollGate.Grant> b = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
        gate.leave("g", true);
        assertThat(a).isCompletedWithValue(LongPollGate.Grant.IMMEDIATE);
        assertThat(b).isCompletedWithValue(LongPollGate.Grant.IMMEDIATE);
    }

    @Test
    void aQueuedPollPastItsDeadline_getsNone_andLeavesTheQueue() throws Exception {
        try (LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered())) {
            gate.enter("g", System.nanoTime() + MINUTE, () -> false).join();
            CompletableFuture<LongPollGate.Grant> late = gate.enter("g", System.nanoTime() + 1_000_000, () -> false);
            CompletableFuture<LongPollGate.Grant> patient = gate.enter("g", System.nanoTime() + MINUTE, () -> false);
            // The gate's own sweep answers it within a sweep of its deadline.
            assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo(LongPollGate.Grant.NONE);
            assertThat(gate.waitingHere()).isEqualTo(1);
            gate.leave("g", false);
            assertThat(patient).isCompletedWithValue(LongPollGate.Grant.WAIT);
        }
    }

    @Test
    void aSlotIsFreedWhenNobodyWaits() {
        LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered());
        gate.enter("g", System.nanoTime() + MINUTE, () -> false).join();
        gate.leave("g", false);
        assertThat(gate.enter("g", System.nanoTime() + MINUTE, () -> false)).isCompletedWithValue(LongPollGate.Grant.WAIT);
    }

    /** A turn's next step runs on the thread of the poll that let it in, but under its own request's trace id. */
    @Test
    void aTurn_runsItsPollsNextStepUnderThatPollsTraceId_notTheOneOfThePollThatLeft() {
        LongPollGate gate = new LongPollGate(1, ThreadPools.unmetered());
        String waiting = "a".repeat(32);
        String leaving = "b".repeat(32);
        gate.enter("g", System.nanoTime() + MINUTE, () -> false).join();
        CompletableFuture<String> queued;
        CompletableFuture<String> untraced = gate.enter("g", System.nanoTime() + MINUTE, () -> false)
            .thenApply(grant -> String.valueOf(MDC.get(TraceIds.KEY)));
        try (TraceIds.Scope ignored = TraceIds.with(waiting)) {
            queued = gate.enter("g", System.nanoTime() + MINUTE, () -> false)
                .thenApply(grant -> MDC.get(TraceIds.KEY));
        }
        try (TraceIds.Scope ignored = TraceIds.with(leaving)) {
            gate.leave("g", false);
            assertThat(untraced).isCompletedWithValue("null");
            gate.leave("g", false);
            assertThat(queued).isCompletedWithValue(waiting);
            assertThat(MDC.get(TraceIds.KEY)).isEqualTo(leaving);
        }
        gate.close();
    }
}
