package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Reads a topic back from its end, newest first, without a consumer group's progress: for the audit
 * log and dead-letter listings. Its calls block.
 */
final class TopicReader implements AutoCloseable {
    private static final int PAGE = 32;

    private final DefaultMQPullConsumer reader;

    TopicReader(String namesrvAddr, String instanceName, ClientSecurity security) {
        reader = new DefaultMQPullConsumer("MQPROXY_READER", security.hook());
        reader.setNamesrvAddr(namesrvAddr);
        reader.setInstanceName(instanceName);
        reader.setVipChannelEnabled(false);
        // Its client id then is the admin client's (BrokerAccess gives it the admin's instance name), so the
        // two share one RocketMQ client. The "stream" request type only tells a RocketMQ proxy how to route
        // pulls; the proxy talks to brokers directly.
        reader.setEnableStreamRequestType(false);
        try {
            security.start(reader, reader::start);
        } catch (MQClientException e) {
            throw new IllegalStateException("topic reader could not start: " + e.getMessage(), e);
        }
    }

    /**
     * Up to {@code max} messages that {@code wanted} accepts, newest first within each queue, looking
     * at no more than {@code scan} messages per queue.
     */
    List<MessageExt> newest(String topic, int scan, Predicate<MessageExt> wanted, int max) throws Exception {
        List<MessageExt> found = new ArrayList<>();
        for (MessageQueue mq : reader.fetchSubscribeMessageQueues(topic)) {
            long min = reader.minOffset(mq);
            long end = reader.maxOffset(mq);
            long scanned = 0;
            while (end > min && scanned < scan && found.size() < max) {
                long from = Math.max(min, end - PAGE);
                PullResult page = reader.pull(mq, "*", from, (int) (end - from), 5_000);
                if (page.getPullStatus() != PullStatus.FOUND) {
                    break;
                }
                List<MessageExt> msgs = new ArrayList<>(page.getMsgFoundList());
                Collections.reverse(msgs);
                for (MessageExt m : msgs) {
                    if (m.getQueueOffset() >= end || found.size() >= max) {
                        continue;
                    }
                    scanned++;
                    if (wanted.test(m)) {
                        found.add(m);
                    }
                }
                end = from;
            }
        }
        return found;
    }

    /** The client's admin calls (look-ups by id and key), on the reader's connections. */
    org.apache.rocketmq.client.impl.MQAdminImpl lookups() {
        return reader.getDefaultMQPullConsumerImpl().getRebalanceImpl().getmQClientFactory().getMQAdminImpl();
    }

    /** Reads {@code max} messages of one queue from {@code offset} on, optionally only those with a tag. Blocks. */
    List<MessageExt> read(MessageQueue mq, String tag, long offset, int max) throws Exception {
        PullResult page = reader.pull(mq, tag == null ? "*" : tag, offset, max, 5_000);
        return page.getPullStatus() == PullStatus.FOUND ? page.getMsgFoundList() : List.of();
    }

    /** The topic's queues, from its route. Blocks. */
    List<MessageQueue> queues(String topic) throws Exception {
        List<MessageQueue> queues = new ArrayList<>(reader.fetchSubscribeMessageQueues(topic));
        queues.sort(java.util.Comparator.comparing(MessageQueue::getBrokerName).thenComparingInt(MessageQueue::getQueueId));
        return queues;
    }

    /** The first offset still stored on the queue. Blocks. */
    long minOffset(MessageQueue mq) throws Exception {
        return reader.minOffset(mq);
    }

    @Override
    public void close() {
        reader.shutdown();
    }
}
