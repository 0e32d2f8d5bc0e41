package io.mqproxy.produce;

import java.util.List;

/** Several messages for one producer; batch-wide tags and orderId apply to each. */
public record BatchProduceRequest(String producer, List<String> messages, String tags, String orderId,
                                  String clientIp) {
}
