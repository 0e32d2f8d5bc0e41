package io.mqproxy.consume;

import io.mqproxy.message.MessageText;
import java.util.Map;

/**
 * A message as a consumer receives it: the contract's {@code messageId}, {@code message},
 * {@code timestamp}, and the extensions {@code encoding}, {@code keys}, {@code tags},
 * {@code properties} and {@code deliveryCount} (1 on the first delivery).
 *
 * @param encoding null when {@code message} is the body as text (UTF-8); {@code "base64"} when the body
 *                 is not UTF-8 text and {@code message} holds it base64-encoded, byte for byte
 */
public record DeliveredMessage(String messageId, MessageText message, String encoding, long timestamp, String keys,
                               String tags, Map<String, String> properties, int deliveryCount) {
}
