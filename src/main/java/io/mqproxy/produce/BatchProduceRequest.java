package io.mqproxy.produce;

import java.util.List;
import java.util.Map;

/**
 * Several messages for one producer; batch-wide tags and orderId apply to each.
 *
 * @param properties each message's own properties (same index as {@code messages}; an element may be null),
 *                   or null for none
 */
public record BatchProduceRequest(String producer, List<String> messages, String tags, String orderId,
                                  String clientIp, List<Map<String, String>> properties) {
}
