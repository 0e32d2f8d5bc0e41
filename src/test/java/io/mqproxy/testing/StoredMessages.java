package io.mqproxy.testing;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;

/**
 * Reads what the shared test broker really stored, with RocketMQ's own admin and pull clients: offsets per
 * queue, messages of a queue in order, look-ups by key. Never a mock.
 */
public final class StoredMessages {
    /** Where the broker parks delay-level messages until due. */
    public static final String SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
    /** Where the broker parks timer (deliver-at) messages until due. */
    public static final String TIMER_TOPIC = "rmq_sys_wheel_timer";

    private static DefaultMQPullConsumer puller;

    private StoredMessages() {
    }

    /** Max offset of every queue of the topic, by queue id (empty if the topic has no stats). */
    public static Map<Integer, Long> maxOffsets(String topic) {
        Map<Integer, Long> offsets = new TreeMap<>();
        try {
            TopicStatsTable stats = TestBroker.get().admin().examineTopicStats(topic);
            for (Map.Entry<MessageQueue, TopicOffset> e : stats.getOffsetTable().entrySet()) {
                offsets.merge(e.getKey().getQueueId(), e.getValue().getMaxOffset(), Long::sum);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read offsets of " + topic, e);
        }
        return offsets;
    }

    /** Messages stored in the topic across all its queues. */
    public static long count(String topic) {
        return maxOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every message of one queue from {@code fromOffset} to its current end, in queue order. */
    public static List<MessageExt> readQueue(String topic, int queueId, long fromOffset) {
        MessageQueue mq = queue(topic, queueId);
        List<MessageExt> out = new ArrayList<>();
        long offset = fromOffset;
        try {
            while (true) {
                PullResult r = puller().pull(mq, "*", offset, 32);
                if (r.getPullStatus() != PullStatus.FOUND || r.getMsgFoundList() == null) {
                    return out;
                }
                out.addAll(r.getMsgFoundList());
                offset = r.getNextBeginOffset();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot pull " + mq, e);
        }
    }

    /** Every message of the topic, queue by queue, each queue in order. */
    public static List<MessageExt> readAll(String topic) {
        List<MessageExt> out = new ArrayList<>();
        for (int queueId : maxOffsets(topic).keySet()) {
            out.addAll(readQueue(topic, queueId, 0));
        }
        return out;
    }

    /** The messages of the topic stored after {@code before} was taken, queue by queue. */
    public static List<MessageExt> readSince(String topic, Map<Integer, Long> before) {
        List<MessageExt> out = new ArrayList<>();
        for (int queueId : maxOffsets(topic).keySet()) {
            out.addAll(readQueue(topic, queueId, before.getOrDefault(queueId, 0L)));
        }
        out.sort(Comparator.comparingLong(MessageExt::getStoreTimestamp));
        return out;
    }

    /** Messages found by key through the broker's index (which lags about a second behind the store). */
    public static List<MessageExt> byKey(String topic, String key) {
        try {
            QueryResult r = TestBroker.get().admin().queryMessage(topic, key, 32, 0, Long.MAX_VALUE);
            return r.getMessageList();
        } catch (Exception e) {
            return List.of();
        }
    }

    public static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    public static List<String> bodies(List<MessageExt> messages) {
        return messages.stream().map(StoredMessages::body).toList();
    }

    private static MessageQueue queue(String topic, int queueId) {
        try {
            for (MessageQueue mq : TestBroker.get().admin().examineTopicStats(topic).getOffsetTable().keySet()) {
                if (mq.getQueueId() == queueId) {
                    return mq;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("no route for " + topic, e);
        }
        throw new IllegalStateException("topic " + topic + " has no queue " + queueId);
    }

    private static synchronized DefaultMQPullConsumer puller() {
        if (puller == null) {
            DefaultMQPullConsumer c = new DefaultMQPullConsumer("test-reader-group");
            c.setNamesrvAddr(TestBroker.get().namesrvAddr());
            c.setInstanceName("test-reader-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + System.nanoTime());
            c.setVipChannelEnabled(false);
            try {
                c.start();
            } catch (Exception e) {
                throw new IllegalStateException("test reader did not start", e);
            }
            puller = c;
        }
        return puller;
    }
}
