package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Where the operators' run-time registry lives: a namespace of the name servers' KV store, which
 * the name servers keep on disk and every proxy instance reads. A {@value #REVISION} key changes
 * with every write, so readers poll one small key and read the rest only when it moved.
 *
 * <p>Beside it, the registry's log ({@value #LOG_TOPIC}): a topic every instance appends its writes'
 * claims to and reads back in the order the broker stored them, which is what lets a write be a
 * compare-and-set ({@code registry.SharedEntries}). The log is one queue: with several brokers the
 * topic has a queue on each, and the first by broker name and queue id is the log, for writers and
 * readers alike. The calls block: callers run them on their own threads.
 */
public final class RegistryStore {
    static final String NAMESPACE = "MQPROXY_REGISTRY";
    public static final String REVISION = "revision";
    public static final String LOG_TOPIC = "MQPROXY_REGISTRY_LOG";
    /** How long a read waits for a record just appended to become readable (the broker indexes it after storing it). */
    private static final long LOG_WAIT_MILLIS = 5_000;

    private final AdminClient cluster;
    private final DefaultMQAdminExt admin;
    private final ProducerClient producer;
    private final TopicReader reader;
    private volatile MessageQueue logQueue;

    RegistryStore(AdminClient cluster, ProducerClient producer, TopicReader reader) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.producer = producer;
        this.reader = reader;
    }

    /** The revision now, or null when nothing was ever written. */
    public String revision() throws Exception {
        try {
            return admin.getKVConfig(NAMESPACE, REVISION);
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.QUERY_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** Every entry, the revision key included. */
    public Map<String, String> entries() throws Exception {
        return cluster.kvEntries(NAMESPACE);
    }

    /** Removes one entry, then writes a new revision, on every name server. */
    public void remove(String key, String revision) throws Exception {
        admin.deleteKvConfig(NAMESPACE, key);
        admin.createAndUpdateKvConfig(NAMESPACE, REVISION, revision);
    }

    /** Writes one entry, then a new revision, on every name server. */
    public void put(String key, String value, String revision) throws Exception {
        admin.createAndUpdateKvConfig(NAMESPACE, key, value);
        admin.createAndUpdateKvConfig(NAMESPACE, REVISION, revision);
    }

    /** Appends a record to the log; answers its offset there. */
    public long append(byte[] record) throws Exception {
        return producer.sendToFirstQueue(LOG_TOPIC, record);
    }

    /** A record of the log, at its offset. */
    public record Logged(long offset, byte[] body) {
    }

    /**
     * The log's records from {@code from} on (from the first one kept, when older ones were deleted) to
     * its end; when {@code through} is not negative, waits (bounded) until that offset is readable. A
     * log that was never created reads as empty, so that reading the registry does not depend on it.
     */
    public List<Logged> readLog(long from, long through) throws Exception {
        MessageQueue log = logQueue(through >= 0);
        if (log == null) {
            return List.of();
        }
        long end = reader.maxOffset(log);
        long deadline = System.currentTimeMillis() + LOG_WAIT_MILLIS;
        while (end <= through) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("registry log: offset " + through + " not readable after "
                    + LOG_WAIT_MILLIS + " ms");
            }
            Thread.sleep(5);
            end = reader.maxOffset(log);
        }
        if (end <= from) {
            return List.of(); // nothing new: the usual poll costs one small call
        }
        long begin = Math.max(from, reader.minOffset(log));
        List<Logged> out = new ArrayList<>();
        for (MessageExt m : reader.readRange(log, begin, end)) {
            out.add(new Logged(m.getQueueOffset(), m.getBody()));
        }
        return out;
    }

    /** The log's queue, looked up once; null (or, when {@code required}, the failure) while the topic has no route. */
    private MessageQueue logQueue(boolean required) throws Exception {
        MessageQueue known = logQueue;
        if (known != null) {
            return known;
        }
        try {
            List<MessageQueue> queues = reader.queues(LOG_TOPIC);
            if (!queues.isEmpty()) {
                logQueue = queues.get(0);
            }
            return logQueue;
        } catch (MQClientException noRoute) {
            if (required) {
                throw noRoute;
            }
            return null;
        }
    }
}
