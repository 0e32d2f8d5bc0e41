package io.mqproxy.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The control plane's audit log: one record per message in a one-queue topic, so the broker keeps
 * it (as long as it keeps messages), every instance writes to it and reads it, in one order.
 */
public final class AuditTopic {
    public static final String TOPIC = "MQPROXY_AUDIT";

    private final ProducerClient producer;
    private final TopicReader reader;

    AuditTopic(ProducerClient producer, TopicReader reader) {
        this.producer = producer;
        this.reader = reader;
    }

    /** Appends a record, keyed (for look-up by key) by what it is about. */
    public CompletableFuture<SendReceipt> append(String key, byte[] record) {
        return producer.send(new OutgoingMessage(TOPIC, record, key, null, null, 0, 0, false, Map.of()));
    }

    /** Up to {@code max} records that {@code wanted} accepts, newest first, among the last {@code scan}. Blocks. */
    public List<byte[]> newest(int scan, Predicate<byte[]> wanted, int max) throws Exception {
        return reader.newest(TOPIC, scan, m -> wanted.test(m.getBody()), max).stream().map(m -> m.getBody()).toList();
    }
}
