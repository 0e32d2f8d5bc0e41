package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** How many offsets a backward walk reads at a time (in pulls of {@link #PAGE}). */
    private static final int WALK_PAGE = 128;

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

    /**
     * What a backward walk found, and where each queue it has not finished stands (the exclusive end to
     * continue from); {@code remaining} is empty when every queue was read to its first message (or to
     * the time the walk stops at).
     */
    record Walk(List<MessageExt> found, Map<MessageQueue, Long> remaining, int scanned) {
    }

    /**
     * Walks a topic backward, one queue after the other, from {@code from} (each queue's exclusive end;
     * null: every queue's end), looking at no more than {@code scan} messages and keeping up to {@code max}
     * that {@code wanted} accepts. A queue is finished at its first stored message, or at the first
     * message stored before {@code stopBefore} (epoch ms; 0: never). Bounded in work, so a caller can
     * page through any volume and reach every message. Blocks.
     */
    Walk walkBack(String topic, Map<MessageQueue, Long> from, int scan, Predicate<MessageExt> wanted, int max,
                  long stopBefore) throws Exception {
        List<MessageExt> found = new ArrayList<>();
        Map<MessageQueue, Long> remaining = new LinkedHashMap<>();
        int scanned = 0;
        for (MessageQueue mq : queues(topic)) {
            Long start = from == null ? Long.valueOf(Long.MAX_VALUE) : from.get(mq);
            if (start == null) {
                continue; // finished on an earlier page
            }
            long end = Math.min(start, reader.maxOffset(mq)); // a cursor past the end reads from the end
            long min = reader.minOffset(mq);
            boolean finished = false;
            while (end > min && !finished && scanned < scan && found.size() < max) {
                long begin = Math.max(min, end - WALK_PAGE);
                List<MessageExt> chunk = readRange(mq, begin, end);
                for (int i = chunk.size() - 1; i >= 0; i--) {
                    MessageExt m = chunk.get(i);
                    if (stopBefore > 0 && m.getStoreTimestamp() < stopBefore) {
                        finished = true;
                        break;
                    }
                    scanned++;
                    end = m.getQueueOffset();
                    if (wanted.test(m)) {
                        found.add(m);
                    }
                    if (scanned >= scan || found.size() >= max) {
                        break;
                    }
                }
                if (!finished && scanned < scan && found.size() < max) {
                    end = begin; // the whole range was looked at (a hole in it has nothing to show)
                }
            }
            if (!finished && end > min) {
                remaining.put(mq, end);
            }
        }
        return new Walk(found, remaining, scanned);
    }

    /** The messages stored at offsets [begin, end) of one queue, in offset order (a pull may return fewer). */
    List<MessageExt> readRange(MessageQueue mq, long begin, long end) throws Exception {
        List<MessageExt> out = new ArrayList<>();
        long next = begin;
        while (next < end) {
            PullResult page = reader.pull(mq, "*", next, (int) Math.min(PAGE, end - next), 5_000);
            if (page.getPullStatus() != PullStatus.FOUND || page.getMsgFoundList().isEmpty()) {
                break;
            }
            for (MessageExt m : page.getMsgFoundList()) {
                if (m.getQueueOffset() >= next && m.getQueueOffset() < end) {
                    out.add(m);
                }
            }
            next = Math.max(next + 1, page.getNextBeginOffset());
        }
        return out;
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

    /** The offset the queue's next message will take. Blocks. */
    long maxOffset(MessageQueue mq) throws Exception {
        return reader.maxOffset(mq);
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
