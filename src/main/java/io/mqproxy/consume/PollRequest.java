package io.mqproxy.consume;

import java.util.function.BooleanSupplier;

/**
 * One {@code /mq/message} call (also {@code /mq/ack}, {@code /mq/unlock}), parsed but not yet checked
 * against the consumer's settings. Null numbers mean "the group's default".
 *
 * @param clientGone tells a long poll that its HTTP client has disconnected
 */
public record PollRequest(String consumer, String topic, String requestId, Boolean pop, String clientId,
                          Integer maxPullSize, Integer consumeTimeoutSeconds, Integer pullTimeoutSeconds,
                          BooleanSupplier clientGone) {
}
