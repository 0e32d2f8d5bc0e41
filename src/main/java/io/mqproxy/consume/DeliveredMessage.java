package io.mqproxy.consume;

import java.util.Map;

/**
 * A message as a consumer receives it: the contract's {@code messageId}, {@code message},
 * {@code timestamp}, and the extensions {@code keys}, {@code tags}, {@code properties} and
 * {@code deliveryCount} (1 on the first delivery).
 */
public record DeliveredMessage(String messageId, String message, long timestamp, String keys, String tags,
                               Map<String, String> properties, int deliveryCount) {
}
