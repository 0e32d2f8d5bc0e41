package io.mqproxy.broker;

import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.client.impl.producer.TopicPublishInfo;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.impl.CommunicationMode;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.remoting.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages asynchronously with one RocketMQ producer shared by every producer group: the
 * group only decides the topic, and one client keeps one connection per broker.
 */
public final class ProducerClient implements AutoCloseable {
    /** Every proxy instance's producer is in this group: the brokers' list of its clients is the fleet. */
    static final String GROUP = "mq-proxy";
    private static final Logger log = LoggerFactory.getLogger(ProducerClient.class);
    /** Orders queues by hash, which is the same in every JVM, so all proxy instances agree. */
    private static final MessageQueueSelector BY_ORDER_ID =
        (queues, msg, orderId) -> queues.get(Math.floorMod(orderId.hashCode(), queues.size()));

    /**
     * Sends of one lane in flight before the next messages wait to go as one batch. One gave the largest
     * batches (22.6 messages at 64 in flight) and the best HTTP/native ratio in the produce benchmark
     * (0.75 against 0.55 and 0.62 with 2 and 4, 2026-12-02, docs/benchmarks.md); more only splits the
     * same requests into smaller batches.
     */
    private static final int SENDS_PER_LANE = 1;
    /** A coalesced batch stays well under the broker's 4 MiB request limit, as the batch endpoint's chunks do. */
    private static final int MAX_BATCH_BYTES = 1024 * 1024;
    /** Room for a message's properties and headers within a batch request. */
    private static final int PER_MESSAGE_OVERHEAD = 256;

    private final DefaultMQProducer producer;
    private final int timeoutMillis;
    /** Per-topic turn counters for roundRobin; bounded by the number of registered topics. */
    private final Map<String, AtomicLong> turns = new ConcurrentHashMap<>();
    private final MessageQueueSelector inTurn =
        (queues, msg, topic) -> queues.get((int) Math.floorMod(
            turns.computeIfAbsent((String) topic, t -> new AtomicLong()).getAndIncrement(), (long) queues.size()));

    /** Route look-ups can block on the name server; they never run on the caller's event loop. */
    private final ExecutorService routeLookups;

    /** Null when single sends are not coalesced ({@code produce.coalesce: false}). */
    private final SendCoalescer coalescer;

    /**
     * @param coalesce  whether concurrent single sends go to the broker as batches (see {@link SendCoalescer})
     * @param maxSendsInFlight the most messages that may wait to be coalesced
     */
    ProducerClient(String namesrvAddr, String instanceName, int timeoutMillis, int maxMessageBytes,
                   ClientSecurity security, boolean coalesce, int maxSendsInFlight, ThreadPools pools) {
        this.timeoutMillis = timeoutMillis;
        this.routeLookups = pools.fixed("route-lookup", pools.sizes().routeLookups(), 1024);
        this.coalescer = coalesce ? new SendCoalescer(this::sendLane, SENDS_PER_LANE, MAX_BATCH_BYTES,
            maxSendsInFlight) : null;
        producer = new DefaultMQProducer(GROUP, security.hook());
        producer.setNamesrvAddr(namesrvAddr);
        producer.setInstanceName(instanceName);
        producer.setVipChannelEnabled(false);
        producer.setSendMsgTimeout(timeoutMillis);
        producer.setMaxMessageSize(maxMessageBytes + 64 * 1024);
        // A time-out already answers 300; the client decides to retry, so the proxy does not duplicate.
        producer.setRetryTimesWhenSendAsyncFailed(0);
        producer.setPollNameServerInterval(5_000);
        try {
            security.start(producer, producer::start);
        } catch (MQClientException e) {
            throw new IllegalStateException("RocketMQ producer could not start: " + e.getMessage(), e);
        }
    }

    /**
     * Learns a topic's route, so the client heartbeats to its brokers: that is how the brokers (and
     * so other instances) see this instance alive. Blocks.
     */
    public void knowTopic(String topic) {
        try {
            var client = producer.getDefaultMQProducerImpl().getMqClientFactory();
            client.updateTopicRouteInfoFromNameServer(topic);
            // Heartbeat now rather than at the next 30 s tick: the brokers then see this instance at once.
            client.sendHeartbeatToAllBrokerWithLock();
        } catch (Exception e) {
            throw new IllegalStateException("route of " + topic + " unknown: " + e.getMessage(), e);
        }
    }

    /**
     * Sends a message to one broker, without a route from the name server: for topics the broker makes
     * when first written, such as a group's retry topic, which the name server learns of only later.
     * Properties {@code RECONSUME_TIME} and {@code MAX_RECONSUME_TIMES} become the request's, as the
     * client does for retry topics. Blocks.
     */
    void sendTo(String brokerName, String addr, Message message) throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(message.getProperties());
        String reconsumeTimes = properties.remove(MessageConst.PROPERTY_RECONSUME_TIME);
        String maxReconsumeTimes = properties.remove(MessageConst.PROPERTY_MAX_RECONSUME_TIMES);
        SendMessageRequestHeader header = new SendMessageRequestHeader();
        header.setProducerGroup(producer.getProducerGroup());
        header.setTopic(message.getTopic());
        header.setDefaultTopic(producer.getCreateTopicKey());
        header.setDefaultTopicQueueNums(1);
        header.setQueueId(0);
        header.setSysFlag(0);
        header.setBornTimestamp(System.currentTimeMillis());
        header.setFlag(message.getFlag());
        header.setProperties(MessageDecoder.messageProperties2String(properties));
        header.setReconsumeTimes(reconsumeTimes == null ? 0 : Integer.parseInt(reconsumeTimes));
        if (maxReconsumeTimes != null) {
            header.setMaxReconsumeTimes(Integer.parseInt(maxReconsumeTimes));
        }
        header.setUnitMode(false);
        header.setBatch(false);
        header.setBrokerName(brokerName);
        SendResult r = clientApi().sendMessage(addr, brokerName, message, header, timeoutMillis,
            CommunicationMode.SYNC, null, null);
        if (r.getSendStatus() != SendStatus.SEND_OK) {
            throw new IllegalStateException("stored, but " + r.getSendStatus());
        }
    }

    /**
     * Loads the publish routes of these topics as a first send would, so that no request after start-up
     * waits for the name server; returns the master brokers they name. Blocks; a topic without a route
     * is left for its first send to report.
     */
    Set<String> loadRoutes(Collection<String> topics) {
        MQClientInstance factory = producer.getDefaultMQProducerImpl().getMqClientFactory();
        Set<String> masters = new HashSet<>();
        for (String topic : topics) {
            try {
                factory.updateTopicRouteInfoFromNameServer(topic);
            } catch (RuntimeException e) {
                // The name server does not answer: the other topics would wait for it too.
                log.warn("routes not loaded at start-up, the name server does not answer: {}", e.getMessage());
                break;
            }
            TopicRouteData route = factory.getTopicRouteTable().get(topic);
            if (route != null) {
                route.getBrokerDatas().forEach(b -> {
                    String master = b.getBrokerAddrs().get(MixAll.MASTER_ID);
                    if (master != null) {
                        masters.add(master);
                    }
                });
            }
        }
        return masters;
    }

    /** This client's id, as brokers know it. */
    String clientId() {
        return producer.getDefaultMQProducerImpl().getMqClientFactory().getClientId();
    }

    /** The client's connection to the cluster, shared with consumption: one connection per broker. */
    MQClientAPIImpl clientApi() {
        return producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    }

    public CompletableFuture<SendReceipt> send(OutgoingMessage message) {
        Message msg = toMessage(message);
        // Delayed and timed messages cannot go in a RocketMQ batch (the broker schedules single messages only).
        if (coalescer != null && message.delayLevel() == 0 && message.deliverAtMillis() == 0) {
            MessageQueue queue = null;
            boolean coalesce = true;
            if (message.orderId() != null || message.roundRobin()) {
                // The queue must be known now, to keep the message in its queue's lane; without a cached
                // route it goes alone, and its send loads the route for the next ones.
                List<MessageQueue> queues = cachedQueues(message.topic());
                if (queues == null) {
                    coalesce = false;
                } else {
                    queue = message.orderId() != null ? BY_ORDER_ID.select(queues, msg, message.orderId())
                        : inTurn.select(queues, msg, message.topic());
                }
            }
            if (coalesce) {
                int bytes = message.body().length + PER_MESSAGE_OVERHEAD
                    + (message.keys() == null ? 0 : message.keys().length() * 3)
                    + (message.tags() == null ? 0 : message.tags().length() * 3);
                return coalescer.send(new SendCoalescer.Lane(message.topic(), queue), msg, bytes);
            }
        }
        return sendAlone(message, msg);
    }

    /**
     * Sends one message to the first queue of its topic (by broker name, then queue id: the same queue
     * for every instance that sees the same route) and answers its offset in that queue. Blocks.
     */
    long sendToFirstQueue(String topic, byte[] body) throws Exception {
        MessageQueueSelector first = (queues, msg, arg) -> queues.stream()
            .min(java.util.Comparator.comparing(MessageQueue::getBrokerName).thenComparingInt(MessageQueue::getQueueId))
            .orElseThrow();
        SendResult sent = producer.send(new Message(topic, body), first, null, timeoutMillis);
        return sent.getQueueOffset();
    }

    /** Single sends that went to the broker in a batch with others, so far (0 without coalescing). */
    public long coalescedSends() {
        return coalescer == null ? 0 : coalescer.batchedMessages();
    }

    /** Broker batch requests that coalesced single sends went in, so far. */
    public long coalescedBatches() {
        return coalescer == null ? 0 : coalescer.batches();
    }

    /** The publish queues the client already knows for the topic, or null: never asks the name server. */
    private List<MessageQueue> cachedQueues(String topic) {
        TopicPublishInfo info = producer.getDefaultMQProducerImpl().getTopicPublishInfoTable().get(topic);
        return info == null || !info.ok() ? null : info.getMessageQueueList();
    }

    /** The coalescer's one request: a message alone as a plain send, more as a RocketMQ batch. */
    private void sendLane(MessageQueue queue, List<Message> messages,
                          java.util.function.BiConsumer<List<SendReceipt>, Throwable> done) {
        String topic = messages.get(0).getTopic();
        CompletableFuture<SendReceipt> sent = new CompletableFuture<>();
        // Not carried: a lane's messages come from many requests; the coalescer gives each its own trace id back.
        SendCallback callback = callback(sent, topic);
        try {
            if (messages.size() == 1) {
                if (queue == null) {
                    producer.send(messages.get(0), callback, timeoutMillis);
                } else {
                    producer.send(messages.get(0), queue, callback, timeoutMillis);
                }
            } else if (queue == null) {
                producer.send(messages, callback, timeoutMillis);
            } else {
                producer.send(messages, queue, callback, timeoutMillis);
            }
        } catch (Exception e) {
            sent.completeExceptionally(SendFailures.toBrokerFailure(e, topic));
        } catch (Error e) {
            sent.completeExceptionally(e);
        }
        sent.whenComplete((receipt, failure) -> {
            if (failure != null) {
                done.accept(null, failure);
            } else {
                done.accept(messages.size() == 1 ? List.of(receipt) : split(receipt, messages.size()), null);
            }
        });
    }

    private CompletableFuture<SendReceipt> sendAlone(OutgoingMessage message, Message msg) {
        CompletableFuture<SendReceipt> result = new CompletableFuture<>();
        SendCallback callback = TraceIdCallbacks.carry(callback(result, message.topic()));
        try {
            if (message.orderId() != null) {
                producer.send(msg, BY_ORDER_ID, message.orderId(), callback, timeoutMillis);
            } else if (message.roundRobin()) {
                producer.send(msg, inTurn, message.topic(), callback, timeoutMillis);
            } else {
                producer.send(msg, callback, timeoutMillis);
            }
        } catch (Exception e) {
            result.completeExceptionally(SendFailures.toBrokerFailure(e, message.topic()));
        } catch (Error e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Sends messages of one topic as one RocketMQ batch: one request, one store append. All land in
     * one queue (the orderId's when given), which is what a batch is.
     */
    public CompletableFuture<List<SendReceipt>> sendBatch(String topic, List<OutgoingMessage> messages,
                                                          String orderId) {
        CompletableFuture<SendReceipt> batch = new CompletableFuture<>();
        List<Message> msgs = new ArrayList<>(messages.size());
        messages.forEach(m -> msgs.add(toMessage(m)));
        SendCallback callback = TraceIdCallbacks.carry(callback(batch, topic));
        if (orderId == null) {
            sendBatch(msgs, null, callback, batch, topic);
        } else {
            try {
                routeLookups.execute(() -> {
                    try {
                        List<MessageQueue> queues = producer.fetchPublishMessageQueues(topic);
                        sendBatch(msgs, BY_ORDER_ID.select(queues, null, orderId), callback, batch, topic);
                    } catch (Exception e) {
                        batch.completeExceptionally(SendFailures.toBrokerFailure(e, topic));
                    }
                });
            } catch (RuntimeException rejected) {
                batch.completeExceptionally(SendFailures.toBrokerFailure(rejected, topic));
            }
        }
        // A batch's result names the queue and the first offset; each message's id is in msgId, comma-joined.
        return batch.thenApply(r -> split(r, messages.size()));
    }

    private void sendBatch(List<Message> msgs, MessageQueue queue, SendCallback callback,
                           CompletableFuture<SendReceipt> batch, String topic) {
        try {
            if (queue == null) {
                producer.send(msgs, callback, timeoutMillis);
            } else {
                producer.send(msgs, queue, callback, timeoutMillis);
            }
        } catch (Exception e) {
            batch.completeExceptionally(SendFailures.toBrokerFailure(e, topic));
        }
    }

    private static List<SendReceipt> split(SendReceipt r, int count) {
        String[] ids = r.msgId() == null ? new String[0] : r.msgId().split(",");
        String[] offsetIds = r.offsetMsgId() == null ? new String[0] : r.offsetMsgId().split(",");
        List<SendReceipt> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new SendReceipt(r.sendStatus(), i < ids.length ? ids[i] : null,
                i < offsetIds.length ? offsetIds[i] : null, r.messageQueue(), r.queueOffset() + i, r.regionId(),
                r.traceOn()));
        }
        return out;
    }

    private SendCallback callback(CompletableFuture<SendReceipt> result, String topic) {
        return new SendCallback() {
            @Override
            public void onSuccess(SendResult r) {
                MessageQueue q = r.getMessageQueue();
                result.complete(new SendReceipt(r.getSendStatus().name(), r.getMsgId(), r.getOffsetMsgId(),
                    new SendReceipt.QueueRef(q.getTopic(), q.getBrokerName(), q.getQueueId()), r.getQueueOffset(),
                    r.getRegionId(), r.isTraceOn()));
            }

            @Override
            public void onException(Throwable e) {
                result.completeExceptionally(SendFailures.toBrokerFailure(e, topic));
            }
        };
    }

    private static Message toMessage(OutgoingMessage m) {
        Message msg = new Message(m.topic(), m.tags(), m.keys(), m.body());
        if (m.delayLevel() > 0) {
            msg.setDelayTimeLevel(m.delayLevel());
        }
        if (m.deliverAtMillis() > 0) {
            msg.setDeliverTimeMs(m.deliverAtMillis());
        }
        m.properties().forEach(msg::putUserProperty);
        return msg;
    }

    @Override
    public void close() {
        routeLookups.shutdownNow();
        RemotingStop.interruptEventThread(clientApi().getRemotingClient());
        producer.shutdown();
    }
}
