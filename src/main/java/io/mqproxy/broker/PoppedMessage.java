package io.mqproxy.broker;

import java.util.Map;

/**
 * One message handed to a consumer, free of RocketMQ types.
 *
 * @param messageId      the producer-side unique id (what {@code /mq/produce} returned as msgId)
 * @param reconsumeTimes earlier deliveries of this message to the group (0 on the first)
 * @param properties     user properties only; RocketMQ's system properties are left out
 */
public record PoppedMessage(String messageId, byte[] body, long bornTimestamp, String keys, String tags,
                            Map<String, String> properties, int reconsumeTimes, ReceiptHandle handle) {
}
