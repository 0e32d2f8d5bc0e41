package io.mqproxy.consume;

import java.util.List;

/**
 * What {@link ConsumeService#poll} handed out, before it is written: the service's result, apart from the
 * wire's {@link PollResult}. It keeps the batch it minted, so that a batch its client never got goes back
 * as it is ({@link ConsumeService#returnUndelivered(Polled)}), without reading its requestId again.
 *
 * @param status                a {@link PollResult} status
 * @param requestId             the signed requestId of the batch ("" when none was delivered)
 * @param previousAck           what became of the batch the request's requestId named (an {@link AckResult} status), or null
 * @param consumeTimeoutSeconds how long the batch is reserved, or null when none was delivered
 * @param batch                 the batch minted, or null when none was delivered
 */
public record Polled(String status, String requestId, List<DeliveredMessage> fresh, List<DeliveredMessage> retried,
                     String previousAck, Integer consumeTimeoutSeconds, BatchReceipt batch) {

    /** A poll answered without messages (refused, paused, nothing new). */
    static Polled none(String status, String previousAck) {
        return new Polled(status, "", List.of(), List.of(), previousAck, null, null);
    }

    /** The contract's answer. */
    public PollResult wire() {
        return new PollResult(status, requestId, fresh, fresh.size(), retried, retried.size(), previousAck,
            consumeTimeoutSeconds);
    }
}
