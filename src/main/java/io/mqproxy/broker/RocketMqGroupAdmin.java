package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.KeyBuilder;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/** {@link GroupAdmin} over RocketMQ's admin client, the topic reader and the producer (for retries). */
final class RocketMqGroupAdmin implements GroupAdmin {
    /** A redelivered copy may be delivered this often before the broker itself would dead-letter it. */
    private static final String NO_BROKER_LIMIT = "1000000";

    private final AdminClient cluster;
    private final DefaultMQAdminExt admin;
    private final ProducerClient producer;
    private final TopicReader reader;

    RocketMqGroupAdmin(AdminClient cluster, ProducerClient producer, TopicReader reader) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.producer = producer;
        this.reader = reader;
    }

    /** The group's position on each queue of the topic (queues it never read are absent). */
    @Override
    public List<QueueOffset> offsets(String topic, String group) throws Exception {
        List<QueueOffset> out = new ArrayList<>();
        Map<MessageQueue, OffsetWrapper> table;
        try {
            table = admin.examineConsumeStats(group, topic).getOffsetTable();
        } catch (MQClientException | MQBrokerException e) {
            return out; // the group has not consumed yet
        }
        table.forEach((mq, o) -> {
            if (mq.getTopic().equals(topic)) {
                out.add(new QueueOffset(mq.getBrokerName(), mq.getQueueId(), o.getBrokerOffset(),
                    Math.max(0, o.getConsumerOffset()), o.getLastTimestamp()));
            }
        });
        out.sort((a, b) -> a.brokerName().equals(b.brokerName()) ? Integer.compare(a.queueId(), b.queueId())
            : a.brokerName().compareTo(b.brokerName()));
        return out;
    }

    /**
     * The next messages stored after the group's committed offset on each queue of the topic (from the
     * queue's first message where the group never read), oldest first, at most {@code limit}. Reads the
     * queues without the group's progress: nothing is reserved, moved or acked.
     */
    @Override
    public List<Peeked> peek(String topic, String group, int limit) throws Exception {
        Map<MessageQueue, OffsetWrapper> table = Map.of();
        try {
            table = admin.examineConsumeStats(group, topic).getOffsetTable();
        } catch (MQClientException | MQBrokerException e) {
            // the group has not consumed yet: it starts at each queue's first message
        }
        List<Peeked> out = new ArrayList<>();
        for (MessageQueue mq : reader.queues(topic)) {
            OffsetWrapper o = table.get(mq);
            long from = o != null && o.getConsumerOffset() >= 0 ? o.getConsumerOffset() : reader.minOffset(mq);
            for (MessageExt m : reader.read(mq, null, from, limit)) {
                out.add(new Peeked(stored(m), mq.getBrokerName(), mq.getQueueId(), m.getQueueOffset()));
            }
        }
        out.sort(java.util.Comparator.comparingLong((Peeked p) -> p.message().storeTimestamp())
            .thenComparingLong(Peeked::queueOffset));
        return out.size() <= limit ? out : List.copyOf(out.subList(0, limit));
    }

    /**
     * Moves where the group reads the topic: to the first message stored at or after
     * {@code timestamp} (0: the earliest), or to the end ({@code timestamp} &lt; 0). Its pending
     * retries are dropped too (they are either read again or skipped by the reset). Batches already
     * handed out are not recalled.
     */
    @Override
    public List<QueueOffset> reset(String topic, String group, long timestamp) throws Exception {
        ensureGroup(group);
        admin.resetOffsetByTimestamp(topic, group, timestamp, true);
        try {
            admin.resetOffsetByTimestamp(KeyBuilder.buildPopRetryTopicV1(topic, group), group, -1, true);
        } catch (MQClientException | MQBrokerException e) {
            if (code(e) != ResponseCode.TOPIC_NOT_EXIST) {
                throw e;
            }
            // no retry topic: nothing was ever retried
        }
        return offsets(topic, group);
    }

    /** The message with this id (the producer's msgId or the broker's offset id), or null. */
    @Override
    public StoredMessage find(String topic, String messageId) throws Exception {
        try {
            return stored(admin.viewMessage(topic, messageId));
        } catch (MQClientException | MQBrokerException e) {
            return null;
        } catch (IllegalArgumentException | IndexOutOfBoundsException notAnId) {
            return null;
        }
    }

    /**
     * Delivers a copy of the message to the group again, through the group's own retry topic (read
     * by concurrent groups only): it comes with its id, keys, tags and properties, as a retry. Stored
     * before this returns, so a proxy restart loses nothing.
     */
    @Override
    public void redeliver(String topic, String group, StoredMessage m) throws Exception {
        sendAsRetry(topic, group, m, Map.of());
    }

    /**
     * Sends a dead letter back to the group as {@link #redeliver} does, with its redrive history one
     * redrive longer ({@link RedriveHistory}): deliveries from here on count against the group's retry
     * limit afresh, and lookups show who redrove it, when, and how often.
     */
    @Override
    public void redrive(String topic, String group, StoredMessage m, String operator, long at) throws Exception {
        RedriveHistory next = RedriveHistory.of(m.properties()).next(operator, at, firstRetry(m));
        sendAsRetry(topic, group, m, next.properties());
    }

    /** A copy sent to a retry topic is delivered with this reconsumeTimes (a retry: at least 1). */
    private static int firstRetry(StoredMessage m) {
        return Math.max(1, m.reconsumeTimes());
    }

    private void sendAsRetry(String topic, String group, StoredMessage m, Map<String, String> extra)
        throws Exception {
        String retryTopic = KeyBuilder.buildPopRetryTopicV1(topic, group);
        // The broker checks a retry topic's sends against the group it reads from the name: with V1 names
        // that is "<group>_<topic>". Made explicitly, so a cluster that does not auto-create groups takes it.
        ensureGroup(KeyBuilder.parseGroup(retryTopic));
        Message copy = new Message(retryTopic, m.tags(), m.keys(), m.body());
        m.properties().forEach((k, v) -> MessageAccessor.putProperty(copy, k, v));
        extra.forEach((k, v) -> MessageAccessor.putProperty(copy, k, v));
        MessageAccessor.putProperty(copy, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, m.messageId());
        MessageAccessor.putProperty(copy, MessageConst.PROPERTY_RETRY_TOPIC, topic);
        MessageAccessor.putProperty(copy, MessageConst.PROPERTY_RECONSUME_TIME, Integer.toString(firstRetry(m)));
        MessageAccessor.putProperty(copy, MessageConst.PROPERTY_MAX_RECONSUME_TIMES, NO_BROKER_LIMIT);
        // The retry topic may exist on the broker before the name server hears of it (the broker registers
        // it later), or not yet at all (the broker makes it on the first write): send to a broker directly.
        AdminClient.Master target = cluster.mastersOf(topic).get(0);
        producer.sendTo(target.brokerName(), target.addr(), copy);
    }

    /** The group's dead letters, newest first, at most {@code limit}. */
    @Override
    public List<StoredMessage> deadLetters(String group, int limit) throws Exception {
        String dlq = MixAll.getDLQTopic(group);
        try {
            return reader.newest(dlq, limit, m -> true, limit).stream().map(RocketMqGroupAdmin::stored).toList();
        } catch (MQClientException e) {
            return List.of(); // no dead-letter topic: nothing was ever dead-lettered
        }
    }

    /** The group's dead letters with these ids (all when null), looking at no more than {@code scan}. */
    @Override
    public List<StoredMessage> deadLetters(String group, Set<String> ids, int scan) throws Exception {
        String dlq = MixAll.getDLQTopic(group);
        try {
            return reader.newest(dlq, scan, m -> ids == null || ids.contains(MessageClientIDSetter.getUniqID(m))
                || ids.contains(m.getMsgId()), scan).stream().map(RocketMqGroupAdmin::stored).toList();
        } catch (MQClientException e) {
            return List.of();
        }
    }

    /** How many dead letters one step of {@link #forEachDeadLetter} reads (and holds) at most. */
    private static final int WALK_CHUNK = 256;

    /**
     * Hands the group's dead letters to {@code visitor}, newest first within each queue, until it answers
     * false or {@code scan} messages were looked at. Holds no more than a chunk at a time, so a walk over
     * a hundred thousand dead letters needs no more memory than one over ten.
     *
     * @return how many it looked at
     */
    @Override
    public int forEachDeadLetter(String group, int scan, java.util.function.Predicate<StoredMessage> visitor)
        throws Exception {
        String dlq = MixAll.getDLQTopic(group);
        Map<MessageQueue, Long> from = null;
        int scanned = 0;
        while (scanned < scan) {
            TopicReader.Walk walk;
            try {
                walk = reader.walkBack(dlq, from, Math.min(WALK_CHUNK, scan - scanned), m -> true, WALK_CHUNK, 0);
            } catch (MQClientException e) {
                return scanned; // no dead-letter topic: nothing was ever dead-lettered
            }
            scanned += walk.scanned();
            for (MessageExt m : walk.found()) {
                if (!visitor.test(stored(m))) {
                    return scanned;
                }
            }
            if (walk.remaining().isEmpty() || walk.scanned() == 0) {
                return scanned;
            }
            from = walk.remaining();
        }
        return scanned;
    }

    private void ensureGroup(String group) throws Exception {
        for (String addr : cluster.masterAddrs()) {
            if (admin.examineSubscriptionGroupConfig(addr, group) == null) {
                SubscriptionGroupConfig config = new SubscriptionGroupConfig();
                config.setGroupName(group);
                admin.createAndUpdateSubscriptionGroupConfig(addr, config);
            }
        }
    }

    private static int code(Exception e) {
        return e instanceof MQClientException c ? c.getResponseCode()
            : e instanceof MQBrokerException b ? b.getResponseCode() : -1;
    }

    private static StoredMessage stored(MessageExt m) {
        Map<String, String> user = new LinkedHashMap<>();
        m.getProperties().forEach((k, v) -> {
            if (!MessageConst.STRING_HASH_SET.contains(k)) {
                user.put(k, v);
            }
        });
        String id = MessageClientIDSetter.getUniqID(m);
        return new StoredMessage(id != null ? id : m.getMsgId(), m.getTopic(), m.getBody(), m.getKeys(), m.getTags(),
            user, m.getStoreTimestamp(), m.getReconsumeTimes(), m.getQueueOffset());
    }
}
