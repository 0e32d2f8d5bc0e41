package io.mqproxy.consume;

import java.util.List;

/**
 * What {@link ConsumeService#pollEach} popped: a {@link PollResult} status ({@code FOUND},
 * {@code NO_NEW_MSG}, {@code PAUSED}, {@code RATE_LIMITED}), each message with its own token, and one
 * token for the whole batch (one broker call to settle them all).
 *
 * @param consumeTimeoutSeconds how long the messages are reserved
 * @param batch                 the batch {@code batchToken} names, or null when none was delivered
 */
public record Deliveries(String status, String batchToken, List<Delivery> each, int consumeTimeoutSeconds,
                         BatchReceipt batch) {

    static Deliveries none(String status) {
        return new Deliveries(status, "", List.of(), 0, null);
    }

    public boolean found() {
        return PollResult.FOUND.equals(status);
    }
}
