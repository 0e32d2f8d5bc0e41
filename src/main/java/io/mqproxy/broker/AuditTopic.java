package io.mqproxy.broker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * The control plane's audit log: one record per message in a one-queue topic, so the broker keeps
 * it (as long as it keeps messages), every instance writes to it and reads it, in one order. Each
 * record carries its MAC in a message property; reads page backward with a cursor, so any volume of
 * messages can be walked through and every record reached.
 */
public final class AuditTopic implements AuditStore {
    public static final String TOPIC = "MQPROXY_AUDIT";
    /** The message property that holds a record's MAC (security.AuditMac). */
    static final String MAC_PROPERTY = "mqproxyAuditMac";
    private static final String CURSOR_VERSION = "a1:";

    private final ProducerClient producer;
    private final TopicReader reader;

    AuditTopic(ProducerClient producer, TopicReader reader) {
        this.producer = producer;
        this.reader = reader;
    }

    /** Appends a record with its MAC, keyed (for look-up by key) by what it is about. */
    @Override
    public CompletableFuture<SendReceipt> append(String key, byte[] record, String mac) {
        return producer.send(new OutgoingMessage(TOPIC, record, key, null, null, 0, 0, false,
            Map.of(MAC_PROPERTY, mac)));
    }

    /**
     * Reads backward from the cursor (null: the newest record), looking at no more than {@code scan}
     * messages and keeping up to {@code max} that {@code wanted} accepts, down to the first stored before
     * {@code stopBefore} (epoch ms, 0 for none). Blocks.
     *
     * @throws IllegalArgumentException when the cursor is not one this topic's pages gave ({@link #checkCursor})
     */
    @Override
    public Page older(String cursor, int scan, long stopBefore, Predicate<Entry> wanted, int max) throws Exception {
        Map<MessageQueue, Long> from = cursor == null ? null : decode(cursor);
        TopicReader.Walk walk = reader.walkBack(TOPIC, from, scan, m -> wanted.test(entry(m)), max, stopBefore);
        return new Page(walk.found().stream().map(AuditTopic::entry).toList(),
            walk.remaining().isEmpty() ? null : encode(walk.remaining()), walk.scanned());
    }

    /** @throws IllegalArgumentException when the cursor is not one this topic's pages gave */
    public static void checkCursor(String cursor) {
        decode(cursor);
    }

    private static Entry entry(MessageExt m) {
        return new Entry(m.getBody(), m.getUserProperty(MAC_PROPERTY), m.getStoreTimestamp());
    }

    /** Opaque to callers: each unfinished queue's broker, id and exclusive end offset. */
    static String encode(Map<MessageQueue, Long> remaining) {
        List<String> parts = new ArrayList<>();
        remaining.forEach((mq, end) -> parts.add(mq.getBrokerName() + "/" + mq.getQueueId() + "/" + end));
        return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_VERSION + String.join(",", parts))
            .getBytes(StandardCharsets.UTF_8));
    }

    static Map<MessageQueue, Long> decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64url");
        }
        if (!text.startsWith(CURSOR_VERSION) || text.length() == CURSOR_VERSION.length() || cursor.length() > 4096) {
            throw new IllegalArgumentException("not an audit cursor");
        }
        Map<MessageQueue, Long> from = new HashMap<>();
        for (String part : text.substring(CURSOR_VERSION.length()).split(",")) {
            String[] f = part.split("/");
            if (f.length != 3 || f[0].isEmpty()) {
                throw new IllegalArgumentException("not an audit cursor");
            }
            try {
                int queueId = Integer.parseInt(f[1]);
                long end = Long.parseLong(f[2]);
                if (queueId < 0 || end < 0) {
                    throw new IllegalArgumentException("not an audit cursor");
                }
                from.put(new MessageQueue(TOPIC, f[0], queueId), end);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an audit cursor");
            }
        }
        return from;
    }
}
