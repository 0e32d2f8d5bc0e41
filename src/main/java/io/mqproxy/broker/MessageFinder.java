package io.mqproxy.broker;

import java.util.List;
import java.util.Map;

/**
 * Finds stored messages without consuming them: by id (the producer's msgId or the broker's offset
 * id), by key, or by store time, newest first in pages. Every call reads a bounded number of
 * messages. Its calls block: callers run them on their own pool. {@link RocketMqMessageFinder} is the
 * broker's.
 */
public interface MessageFinder {
    /**
     * A stored message and where it is, free of RocketMQ types.
     *
     * @param bornHost      the address of the client that sent it to the broker (for a message produced
     *                      through the proxy: the proxy instance)
     * @param producerGroup the producer group the message records, or null: RocketMQ records it only for
     *                      transactional messages
     */
    record Found(String messageId, String offsetMsgId, String topic, String brokerName, int queueId,
                 long queueOffset, long storeTimestamp, long bornTimestamp, String keys, String tags,
                 Map<String, String> properties, int size, String bornHost, String producerGroup,
                 int reconsumeTimes, byte[] body) {
        Found withBroker(String name) {
            return new Found(messageId, offsetMsgId, topic, name, queueId, queueOffset, storeTimestamp, bornTimestamp,
                keys, tags, properties, size, bornHost, producerGroup, reconsumeTimes, body);
        }
    }

    /** One page of a time-range search and where the next one starts (null when there is none). */
    record Page(List<Found> messages, String cursor) {
    }

    /**
     * The message with this id in the topic: every stored copy with the producer's msgId, or the one
     * at the broker's offset id. With no topic only an offset id can be found.
     */
    List<Found> byId(String topic, String id) throws Exception;

    /** Messages with this key stored between {@code begin} and {@code end}, at most {@code max}, newest first. */
    List<Found> byKey(String topic, String key, long begin, long end, int max) throws Exception;

    /**
     * Messages stored in {@code [begin, end)} (with {@code tag}, when given), newest first, one page of at
     * most {@code size}. A cursor from the previous page continues where it stopped.
     */
    Page byTime(String topic, long begin, long end, String tag, int size, String cursor) throws Exception;

    /** Whether the name server knows the topic. */
    boolean exists(String topic);
}
