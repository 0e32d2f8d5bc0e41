package io.mqproxy.push;

/**
 * A {@code GET /mq/stream}, parsed but not yet checked against the group.
 *
 * @param autoAck        ack=auto: each message is acked once written (at-most-once on a drop); else the
 *                       client acks each event's id with /mq/ack (at-least-once)
 * @param maxUnacked     null: {@code stream.maxUnacked}
 * @param consumeTimeoutSeconds null: the group's
 * @param lastEventId    the {@code Last-Event-ID} of a reconnecting EventSource, or null
 */
public record StreamRequest(String consumer, String topic, String clientId, boolean autoAck, Integer maxUnacked,
                            Integer consumeTimeoutSeconds, String lastEventId) {
}
