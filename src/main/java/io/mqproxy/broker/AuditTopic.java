package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * The control plane's audit log: one record per message in a one-queue topic, so the broker keeps
 * it (as long as it keeps messages), every instance writes to it and reads it, in one order.
 */
public final class AuditTopic implements AutoCloseable {
    public static final String TOPIC = "MQPROXY_AUDIT";
    private static final int PAGE = 32;

    private final ProducerClient producer;
    private final DefaultMQPullConsumer reader;

    AuditTopic(String namesrvAddr, String instanceName, ProducerClient producer) {
        this.producer = producer;
        reader = new DefaultMQPullConsumer("MQPROXY_AUDIT_READER");
        reader.setNamesrvAddr(namesrvAddr);
        reader.setInstanceName(instanceName);
        reader.setVipChannelEnabled(false);
        try {
            reader.start();
        } catch (MQClientException e) {
            throw new IllegalStateException("audit reader could not start: " + e.getMessage(), e);
        }
    }

    /** Appends a record, keyed (for look-up by key) by what it is about. */
    public CompletableFuture<SendReceipt> append(String key, byte[] record) {
        return producer.send(new OutgoingMessage(TOPIC, record, key, null, null, 0, 0, false, Map.of()));
    }

    /**
     * Up to {@code max} records, newest first, reading back from the end over at most {@code scan}
     * records. Blocks.
     */
    public List<byte[]> newest(int scan, java.util.function.Predicate<byte[]> wanted, int max) throws Exception {
        List<byte[]> found = new ArrayList<>();
        for (MessageQueue mq : reader.fetchSubscribeMessageQueues(TOPIC)) {
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
                    if (m.getQueueOffset() >= end) {
                        continue;
                    }
                    scanned++;
                    if (wanted.test(m.getBody()) && found.size() < max) {
                        found.add(m.getBody());
                    }
                }
                end = from;
            }
        }
        return found;
    }

    @Override
    public void close() {
        reader.shutdown();
    }
}
