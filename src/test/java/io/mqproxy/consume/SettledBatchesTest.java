package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.consume.SettledBatches.Settlement;
import io.mqproxy.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A requestId is used once (issue 23: its memory's time rule by the clock, no sleeping): a batch settled
 * before is answered with how, without asking the broker again, until its consumeTimeout and a minute of grace
 * have passed; a settlement the broker refused is not remembered.
 */
class SettledBatchesTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long CONSUME_TIMEOUT = 30_000;
    private static final long GRACE = 60_000;

    private final MutableClock clock = MutableClock.at(T0);
    private final SettledBatches settled = new SettledBatches(100, clock);
    private final AtomicInteger brokerCalls = new AtomicInteger();

    /** A batch popped now, reserved for the consume time-out. */
    private static BatchReceipt batch(long queueOffset) {
        return new BatchReceipt("c", "t", null, List.of(
            new ReceiptHandle(1, T0, CONSUME_TIMEOUT, 0, "0", "broker-a", 0, queueOffset)));
    }

    /** Settles {@code b}: "broker" when the broker was asked, else how it was settled before. */
    private String settle(BatchReceipt b, Settlement how) {
        return settled.settleOnce("c", b, how, () -> {
            brokerCalls.incrementAndGet();
            return CompletableFuture.completedFuture("broker");
        }, before -> "before:" + before).join();
    }

    @Test
    void aSecondUse_isAnsweredWithTheFirst_andTheBrokerIsAskedOnce() {
        BatchReceipt b = batch(7);
        assertThat(settle(b, Settlement.ACKED)).isEqualTo("broker");
        assertThat(settle(b, Settlement.ACKED)).isEqualTo("before:ACKED");
        assertThat(settle(b, Settlement.RELEASED)).as("a give-back after the ack").isEqualTo("before:ACKED");
        assertThat(settle(batch(8), Settlement.RELEASED)).as("another batch").isEqualTo("broker");
        assertThat(brokerCalls).hasValue(2);
    }

    @Test
    void aBatchIsRemembered_untilItsTimeoutAndTheGrace_thenForgotten() {
        BatchReceipt b = batch(7);
        settle(b, Settlement.RELEASED);
        clock.advance(Duration.ofMillis(CONSUME_TIMEOUT + GRACE - 1));
        assertThat(settle(b, Settlement.ACKED)).as("still inside the grace").isEqualTo("before:RELEASED");
        clock.advance(Duration.ofMillis(1));
        assertThat(settle(b, Settlement.ACKED)).as("forgotten: the broker decides").isEqualTo("broker");
        assertThat(brokerCalls).hasValue(2);
    }

    @Test
    void aSettlementTheBrokerRefused_isNotRemembered() {
        BatchReceipt b = batch(7);
        CompletableFuture<String> refused = settled.settleOnce("c", b, Settlement.ACKED,
            () -> CompletableFuture.failedFuture(new IllegalStateException("broker down")), before -> "before");
        assertThat(refused).isCompletedExceptionally();
        assertThat(settle(b, Settlement.ACKED)).as("the client may try again").isEqualTo("broker");
    }

    @Test
    void aBatchWithoutHandles_isNeverRemembered() {
        BatchReceipt empty = new BatchReceipt("c", "t", null, List.of());
        assertThat(settle(empty, Settlement.ACKED)).isEqualTo("broker");
        assertThat(settle(empty, Settlement.ACKED)).isEqualTo("broker");
    }
}
