package io.mqproxy.consume;

import java.time.Clock;

/**
 * Whether a delivered batch's consumeTimeout has passed, by the proxy's clock: what an ack and a give-back
 * answer. The broker redelivers by its own clock; these rules only decide what the proxy says and whether it
 * still asks the broker.
 */
final class BatchDeadlines {
    /**
     * A give-back this close to the batch's deadline could race the broker's own redelivery and make a
     * second copy; the batch is coming back anyway.
     */
    static final long RELEASE_MARGIN_MILLIS = 1_000;

    private final Clock clock;

    BatchDeadlines(Clock clock) {
        this.clock = clock;
    }

    /** An ack is made whatever the time (what was not yet delivered again is acked), and says EXPIRED when late. */
    String ackStatus(BatchReceipt batch) {
        return batch.expiresAt() <= clock.millis() ? AckResult.EXPIRED : AckResult.OK;
    }

    /** A give-back is refused (EXPIRED) once the deadline has passed or is less than the margin away. */
    boolean tooLateToGiveBack(BatchReceipt batch) {
        return batch.expiresAt() - RELEASE_MARGIN_MILLIS <= clock.millis();
    }
}
