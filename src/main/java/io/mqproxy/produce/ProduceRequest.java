package io.mqproxy.produce;

import java.util.Map;

/**
 * One message to produce, as the client asked for it (already parsed, not yet checked against the
 * registry or the size limit).
 *
 * @param delayLevel        1..18, or null for none
 * @param deliveryTimestamp epoch millis, or null for none
 * @param properties        the producer's own message properties, or null for none
 */
public record ProduceRequest(String producer, String message, String keys, String tags, String orderId,
                             Integer delayLevel, Long deliveryTimestamp, boolean roundRobin, String clientIp,
                             Map<String, String> properties) {
}
