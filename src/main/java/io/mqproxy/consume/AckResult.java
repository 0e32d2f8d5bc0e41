package io.mqproxy.consume;

/**
 * What {@code /mq/ack}, {@code /mq/unlock} and {@code /mq/nack} did.
 *
 * @param status   {@link #OK}; {@link #EXPIRED} when the batch's consumeTimeout had passed (an ack still
 *                 acks what was not yet delivered again; an unlock or nack does nothing, the batch is
 *                 coming back anyway); {@link #ALREADY_ACKED} or {@link #ALREADY_RELEASED} when the
 *                 requestId was used before, and nothing was done this time
 * @param messages how many messages the requestId named
 */
public record AckResult(String status, int messages) {
    public static final String OK = "OK";
    public static final String EXPIRED = "EXPIRED";
    public static final String ALREADY_ACKED = "ALREADY_ACKED";
    public static final String ALREADY_RELEASED = "ALREADY_RELEASED";

    static String already(SettledBatches.Settlement before) {
        return before == SettledBatches.Settlement.ACKED ? ALREADY_ACKED : ALREADY_RELEASED;
    }
}
