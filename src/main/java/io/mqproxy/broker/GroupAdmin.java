package io.mqproxy.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What an operator does to a consumer group at the broker: where it reads (offsets, resets), and
 * messages delivered to it again (re-delivery by id, dead letters). Its calls block: callers run
 * them on their own pool. {@link RocketMqGroupAdmin} is the broker's; tests give the control commands a fake.
 */
public interface GroupAdmin {
    /** Where a group stands on one queue. */
    record QueueOffset(String brokerName, int queueId, long maxOffset, long consumedOffset,
                       long lastConsumeTime) {
        public long backlog() {
            return Math.max(0, maxOffset - consumedOffset);
        }
    }

    /** A stored message, free of RocketMQ types. */
    record StoredMessage(String messageId, String topic, byte[] body, String keys, String tags,
                         Map<String, String> properties, long storeTimestamp, int reconsumeTimes,
                         long queueOffset) {
        /** The first characters of the body, as text. */
        public String preview(int chars) {
            String text = new String(body, StandardCharsets.UTF_8);
            return text.length() <= chars ? text : text.substring(0, chars) + "...";
        }
    }

    /** A message waiting for a group, where it is stored: for a look that reserves nothing. */
    record Peeked(StoredMessage message, String brokerName, int queueId, long queueOffset) {
    }

    /** The group's position on each queue of the topic (queues it never read are absent). */
    List<QueueOffset> offsets(String topic, String group) throws Exception;

    /**
     * The next messages stored after the group's committed offset on each queue of the topic (from the
     * queue's first message where the group never read), oldest first, at most {@code limit}. Reserves,
     * moves and acks nothing.
     */
    List<Peeked> peek(String topic, String group, int limit) throws Exception;

    /**
     * Moves where the group reads the topic: to the first message stored at or after {@code timestamp}
     * (0: the earliest), or to the end ({@code timestamp} &lt; 0); its pending retries are dropped.
     *
     * @return the group's offsets after the move
     */
    List<QueueOffset> reset(String topic, String group, long timestamp) throws Exception;

    /** The message with this id (the producer's msgId or the broker's offset id), or null. */
    StoredMessage find(String topic, String messageId) throws Exception;

    /** Delivers a copy of the message to the group again, as a retry, with its id, keys, tags and properties. */
    void redeliver(String topic, String group, StoredMessage m) throws Exception;

    /** Sends a dead letter back to the group as {@link #redeliver} does, its redrive history one redrive longer. */
    void redrive(String topic, String group, StoredMessage m, String operator, long at) throws Exception;

    /** The group's dead letters, newest first, at most {@code limit}. */
    List<StoredMessage> deadLetters(String group, int limit) throws Exception;

    /** The group's dead letters with these ids (all when null), looking at no more than {@code scan}. */
    List<StoredMessage> deadLetters(String group, Set<String> ids, int scan) throws Exception;

    /**
     * Hands the group's dead letters to {@code visitor}, newest first, until it answers false or {@code scan}
     * messages were looked at.
     *
     * @return how many it looked at
     */
    int forEachDeadLetter(String group, int scan, Predicate<StoredMessage> visitor) throws Exception;
}
