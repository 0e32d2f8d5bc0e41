package io.mqproxy.broker;

import java.util.Map;

/**
 * A message to send, free of RocketMQ types.
 *
 * @param keys              space-separated keys, indexed by the broker, or null
 * @param tags              the RocketMQ tag, or null
 * @param orderId           sharding key: the same orderId always picks the same queue, or null
 * @param delayLevel        1..18, or 0 for none
 * @param deliverAtMillis   epoch millis for a timer message, or 0 for none
 * @param roundRobin        spread over all queues strictly in turn
 * @param properties        user properties carried with the message
 */
public record OutgoingMessage(String topic, byte[] body, String keys, String tags, String orderId, int delayLevel,
                              long deliverAtMillis, boolean roundRobin, Map<String, String> properties) {
}
