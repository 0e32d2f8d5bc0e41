package io.mqproxy.consume;

import io.mqproxy.broker.ReceiptHandle;

/**
 * One message popped for a client of the proxy's own (push delivery), with the token that settles it
 * alone: a requestId naming only this message.
 *
 * @param handle the message's receipt: what {@link ConsumeService#onSettled} reports when the token is used
 */
public record Delivery(DeliveredMessage message, String token, ReceiptHandle handle) {

    /** Broker time after which the message is delivered again unless acked. */
    public long expiresAt() {
        return handle.expiresAt();
    }
}
