package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ConsumeService's time rules, by the clock (issue 23; ConsumeAckOnceIT and ConsumeRedeliveryIT check the same
 * against the broker): an ack after the batch's consumeTimeout says EXPIRED; a give-back is refused from one
 * second before it; a batch's deadline is its earliest message's.
 */
class BatchDeadlinesTest {
    private static final long T0 = 1_800_000_000_000L;

    private final MutableClock clock = MutableClock.at(T0);
    private final BatchDeadlines deadlines = new BatchDeadlines(clock);

    private static ReceiptHandle popped(long at, long invisibleMillis) {
        return new ReceiptHandle(1, at, invisibleMillis, 0, "0", "broker-a", 0, 0);
    }

    private static BatchReceipt batch(ReceiptHandle... handles) {
        return new BatchReceipt("c", "t", null, List.of(handles));
    }

    @Test
    void anAck_isOkBeforeTheTimeout_andExpiredFromIt() {
        BatchReceipt b = batch(popped(T0, 2_000));
        clock.advance(Duration.ofMillis(1_999));
        assertThat(deadlines.ackStatus(b)).isEqualTo(AckResult.OK);
        clock.advance(Duration.ofMillis(1));
        assertThat(deadlines.ackStatus(b)).isEqualTo(AckResult.EXPIRED);
    }

    @Test
    void aGiveBack_isRefusedFromOneSecondBeforeTheTimeout() {
        BatchReceipt b = batch(popped(T0, 5_000));
        clock.advance(Duration.ofMillis(3_999));
        assertThat(deadlines.tooLateToGiveBack(b)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(deadlines.tooLateToGiveBack(b)).as("the broker redelivers within the margin anyway").isTrue();
        assertThat(deadlines.ackStatus(b)).as("an ack is still on time").isEqualTo(AckResult.OK);
    }

    @Test
    void aBatchsDeadline_isItsEarliestMessages() {
        BatchReceipt b = batch(popped(T0, 60_000), popped(T0 - 10_000, 20_000), popped(T0, 30_000));
        clock.advance(Duration.ofSeconds(10));
        assertThat(deadlines.ackStatus(b)).isEqualTo(AckResult.EXPIRED);
    }

    @Test
    void aBatchWithoutMessages_neverExpires() {
        clock.advance(Duration.ofDays(365));
        assertThat(deadlines.ackStatus(batch())).isEqualTo(AckResult.OK);
        assertThat(deadlines.tooLateToGiveBack(batch())).isFalse();
    }
}
