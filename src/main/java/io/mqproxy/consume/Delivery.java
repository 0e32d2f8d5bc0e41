package io.mqproxy.consume;

import io.mqproxy.broker.ReceiptHandle;

/**
 * One message popped for a client of the proxy's own (push delivery), with the token that settles it
 * alone: a requestId naming only this message.
 *
 * @param receipt the batch of this one message that the token names (given back as it is if undelivered)
 */
public record Delivery(DeliveredMessage message, String token, BatchReceipt receipt) {

    /** The message's receipt: what {@link ConsumeService#onSettled} reports when the token is used. */
    public ReceiptHandle handle() {
        return receipt.handles().get(0);
    }

    /** Broker time after which the message is delivered again unless acked. */
    public long expiresAt() {
        return handle().expiresAt();
    }
}
