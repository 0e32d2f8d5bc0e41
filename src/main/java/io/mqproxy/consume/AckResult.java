package io.mqproxy.consume;

/**
 * What {@code /mq/ack}, {@code /mq/unlock} and {@code /mq/nack} did.
 *
 * @param status   {@code OK}, or {@code EXPIRED} when the batch had already timed out (its messages
 *                 may have been delivered again; those not yet redelivered were still acked)
 * @param messages how many messages the requestId named
 */
public record AckResult(String status, int messages) {
}
