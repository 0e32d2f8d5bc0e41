package io.mqproxy.broker;

import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.threads.ThreadPools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.consumer.AckCallback;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.AckStatus;
import org.apache.rocketmq.client.consumer.PopCallback;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.constant.ConsumeInitMode;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.header.ChangeInvisibleTimeRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.ExtraInfoUtil;
import org.apache.rocketmq.remoting.protocol.header.PopMessageRequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RocketMQ 5 POP consumption: the broker reserves what it hands out, takes acks by receipt handle
 * and redelivers the rest, so the proxy keeps no consumer state. All calls are asynchronous.
 */
public final class PopClient implements Pops, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PopClient.class);
    /** The broker refuses more than this per pop. */
    public static final int MAX_PER_POP = Pops.MAX_PER_POP;
    private static final long RPC_MARGIN_MILLIS = 3_000;
    private static final long ACK_TIMEOUT_MILLIS = 3_000;
    /** Long enough for a send-back and an ack under load. */
    private static final long DEAD_LETTER_RESERVE_MILLIS = 60_000;

    private final MQClientAPIImpl api;
    private final TopicRoutes routes;
    private final AtomicInteger turn = new AtomicInteger();
    /**
     * Dead-lettering is a blocking call in RocketMQ's client; it is rare, so one small bounded pool.
     * When it is full a message is neither delivered nor moved: it stays reserved and comes back after
     * its invisible time, when moving it is tried again. Nothing is dropped.
     */
    private final ExecutorService deadLetters;
    private final LongAdder deadLettersDeferred = new LongAdder();
    /** Told of each message moved to a dead-letter topic, by broker group (for the metrics). */
    private volatile java.util.function.ObjIntConsumer<String> deadLettered = (group, n) -> { };
    private final AtomicLong lastDeferredWarning = new AtomicLong();

    PopClient(MQClientAPIImpl api, ThreadPools pools) {
        this.api = api;
        this.routes = new TopicRoutes(api, pools);
        this.deadLetters = pools.elastic("dead-letter", 1, pools.sizes().deadLetters(), Duration.ofSeconds(60), 1_000);
    }

    /**
     * Pops up to {@code max} (at most 32) messages, waiting up to {@code pollMillis} for one.
     * Messages delivered more than {@code maxRetries} times go to the group's dead-letter queue
     * instead of the result.
     */
    public CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                             long pollMillis, boolean orderly, int maxRetries) {
        return pop(group, topic, max, invisibleMillis, pollMillis, orderly, maxRetries, null, null, null);
    }

    /**
     * {@link #pop(String, String, int, long, long, boolean, int)} of the messages {@code filter} takes (null:
     * all). The broker applies it: a message it filters out is never delivered to the group, and counts as
     * consumed by it.
     */
    @Override
    public CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                             long pollMillis, boolean orderly, int maxRetries,
                                             SubscriptionFilter filter) {
        return pop(group, topic, max, invisibleMillis, pollMillis, orderly, maxRetries, null, null, filter);
    }

    /**
     * {@link #pop(String, String, int, long, long, boolean, int)} under an attemptId, from one queue or any.
     *
     * @param attemptId orderly pops: the broker counts a delivery of an unacked offset each time it is popped
     *                  under another attemptId than the pop before, and hands the same batch to any pop naming
     *                  the attemptId that holds it. Unique per pop (or null), unless re-taking a batch that
     *                  was given back undelivered under that attemptId.
     * @param queue     the queue to pop, or null for any (the broker then takes from several)
     * @param filter    the group's subscription filter, or null for every message
     */
    @Override
    public CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                             long pollMillis, boolean orderly, int maxRetries, String attemptId,
                                             BrokerQueue queue, SubscriptionFilter filter) {
        return routes.of(topic).thenCompose(targets -> {
            TopicRoutes.Target target = queue == null
                ? targets.get(Math.floorMod(turn.getAndIncrement(), targets.size()))
                : targets.stream().filter(t -> t.brokerName().equals(queue.brokerName())).findFirst().orElse(null);
            if (target == null) {
                return CompletableFuture.completedFuture(PopOutcome.none(PopOutcome.Kind.NO_NEW_MSG));
            }
            PopMessageRequestHeader header = new PopMessageRequestHeader();
            header.setConsumerGroup(group);
            header.setTopic(topic);
            header.setQueueId(queue == null ? -1 : queue.queueId());
            header.setAttemptId(attemptId);
            header.setMaxMsgNums(Math.min(max, MAX_PER_POP));
            header.setInvisibleTime(invisibleMillis);
            header.setPollTime(pollMillis);
            // 0: the broker uses its own clock; a proxy clock behind it would make every pop empty.
            header.setBornTime(0L);
            header.setInitMode(ConsumeInitMode.MIN);
            // The broker builds the group's subscription from these on every pop (and its retry topic's: all).
            header.setExpType(FilterExpressions.expressionType(filter));
            header.setExp(FilterExpressions.expression(filter));
            header.setOrder(orderly);
            CompletableFuture<PopOutcome> result = new CompletableFuture<>();
            try {
                api.popMessageAsync(target.brokerName(), target.addr(), header, pollMillis + RPC_MARGIN_MILLIS,
                    TraceIdCallbacks.carry(new PopCallback() {
                        @Override
                        public void onSuccess(PopResult popResult) {
                            try {
                                result.complete(outcome(popResult, group, topic, target, maxRetries, filter));
                            } catch (RuntimeException e) {
                                result.completeExceptionally(popError(e, group, topic));
                            }
                        }

                        @Override
                        public void onException(Throwable e) {
                            fail(result, e, group, topic);
                        }
                    }));
            } catch (Exception e) {
                fail(result, e, group, topic);
            }
            return result;
        });
    }

    private PopOutcome outcome(PopResult r, String group, String topic, TopicRoutes.Target target, int maxRetries,
                               SubscriptionFilter filter) {
        return switch (r.getPopStatus()) {
            case FOUND -> {
                List<PoppedMessage> delivered = new ArrayList<>(r.getMsgFoundList().size());
                List<ReceiptHandle> unmatched = new ArrayList<>();
                for (MessageExt m : r.getMsgFoundList()) {
                    // The broker matches tags by hash code: one whose hash collides is acked here, as
                    // RocketMQ's own proxy does (PopMessageResultFilter), so the group never sees it.
                    if (!FilterExpressions.tagMatches(filter, m.getTags())) {
                        unmatched.add(ReceiptHandle.parse(m.getProperty(MessageConst.PROPERTY_POP_CK)));
                        continue;
                    }
                    // Deliveries since the last redrive count: a redriven message gets the whole budget again.
                    if (RedriveHistory.countedRetries(m.getReconsumeTimes(), m.getProperty(RedriveHistory.BUDGET_BASE))
                        > maxRetries) {
                        deadLetter(group, topic, target, m, maxRetries);
                    } else {
                        delivered.add(toPopped(m));
                    }
                }
                if (!unmatched.isEmpty()) {
                    ack(group, topic, unmatched).exceptionally(e -> {
                        log.debug("messages of topic {} outside group {}'s tag filter not acked; they come back and "
                            + "are acked then: {}", topic, group, e.toString());
                        return null;
                    });
                }
                yield delivered.isEmpty() ? PopOutcome.none(PopOutcome.Kind.NO_NEW_MSG)
                    : new PopOutcome(PopOutcome.Kind.FOUND, delivered);
            }
            case POLLING_FULL -> PopOutcome.none(PopOutcome.Kind.POLLING_FULL);
            default -> PopOutcome.none(PopOutcome.Kind.NO_NEW_MSG);
        };
    }

    private static void fail(CompletableFuture<PopOutcome> result, Throwable e, String group, String topic) {
        result.completeExceptionally(popError(e, group, topic));
    }

    private static BrokerFailure popError(Throwable e, String group, String topic) {
        if (e instanceof MQBrokerException be && be.getResponseCode() == ResponseCode.NO_PERMISSION) {
            // Not a pause: the proxy's own pause never reaches the broker. Say what the broker said.
            return BrokerFailure.refused("the broker refuses consumer '" + group + "' on topic '" + topic
                + "' (no permission: the group's consumption is disabled on the broker or the topic is not "
                + "readable): " + be.getErrorMessage(), e);
        }
        if (e instanceof MQBrokerException be) {
            return BrokerFailure.refused("pop for consumer '" + group + "' on topic '" + topic + "' refused (code "
                + be.getResponseCode() + "): " + be.getErrorMessage(), e);
        }
        return BrokerFailure.failed("pop for consumer '" + group + "' on topic '" + topic + "' failed: " + e, e);
    }

    private static PoppedMessage toPopped(MessageExt m) {
        Map<String, String> user = new LinkedHashMap<>();
        m.getProperties().forEach((k, v) -> {
            if (!MessageConst.STRING_HASH_SET.contains(k)) {
                user.put(k, v);
            }
        });
        String id = MessageClientIDSetter.getUniqID(m);
        return new PoppedMessage(id != null ? id : m.getMsgId(), m.getBody(), m.getBornTimestamp(), m.getKeys(),
            m.getTags(), user, m.getReconsumeTimes(),
            ReceiptHandle.parse(m.getProperty(MessageConst.PROPERTY_POP_CK)));
    }

    /**
     * Moves a message past its retry limit to {@code %DLQ%<group>}, then acks it. Its reservation is
     * extended first, so that a slow send-back cannot let the message be popped (and dead-lettered)
     * a second time meanwhile.
     */
    private void deadLetter(String group, String topic, TopicRoutes.Target target, MessageExt m, int maxRetries) {
        ReceiptHandle handle = ReceiptHandle.parse(m.getProperty(MessageConst.PROPERTY_POP_CK));
        String id = MessageClientIDSetter.getUniqID(m);
        try {
            deadLetters.execute(() -> moveToDeadLetters(group, topic, target, m, maxRetries, handle, id));
        } catch (RejectedExecutionException full) {
            deadLettersDeferred.increment();
            long now = System.currentTimeMillis();
            long last = lastDeferredWarning.get();
            if (now - last > 60_000 && lastDeferredWarning.compareAndSet(last, now)) {
                log.warn("dead-letter work is backed up ({} deferred so far): message {} of topic {} stays reserved "
                    + "for group {} and is moved when it comes back", deadLettersDeferred.sum(), id, topic, group);
            }
        }
    }

    /** Whom to tell of each message moved to a dead-letter topic (by broker group); called on the dead-letter pool. */
    @Override
    public void onDeadLettered(java.util.function.ObjIntConsumer<String> listener) {
        deadLettered = listener;
    }

    /** How many messages past their retry limit were left for a later attempt because the pool was full. */
    @Override
    public long deadLettersDeferred() {
        return deadLettersDeferred.sum();
    }

    private void moveToDeadLetters(String group, String topic, TopicRoutes.Target target, MessageExt m,
                                   int maxRetries, ReceiptHandle handle, String id) {
        try {
            ReceiptHandle extended = extend(group, topic, target, handle, DEAD_LETTER_RESERVE_MILLIS).join();
            api.consumerSendMessageBack(target.addr(), target.brokerName(), m, group, -1, ACK_TIMEOUT_MILLIS,
                maxRetries);
            ack(group, topic, List.of(extended)).join();
            deadLettered.accept(group, 1);
            log.info("message {} of topic {} moved to %DLQ%{} after {} deliveries", id, topic, group,
                m.getReconsumeTimes() + 1);
        } catch (Exception e) {
            log.warn("message {} of topic {} could not be dead-lettered for group {}; it will be delivered again: {}",
                id, topic, group, e.toString());
        }
    }

    /** Changes one message's invisible time; the broker answers with the handle that is valid from now on. */
    private CompletableFuture<ReceiptHandle> extend(String group, String topic, TopicRoutes.Target target,
                                                    ReceiptHandle h, long invisibleMillis) {
        CompletableFuture<ReceiptHandle> renewed = new CompletableFuture<>();
        try {
            api.changeInvisibleTimeAsync(h.brokerName(), target.addr(),
                changeHeader(group, topic, h, invisibleMillis, false),
                ACK_TIMEOUT_MILLIS, TraceIdCallbacks.carry(new AckCallback() {
                    @Override
                    public void onSuccess(AckResult r) {
                        if (r.getStatus() == AckStatus.OK && r.getExtraInfo() != null) {
                            renewed.complete(ReceiptHandle.parse(r.getExtraInfo()));
                        } else {
                            renewed.completeExceptionally(new IllegalStateException("reservation not extended"));
                        }
                    }

                    @Override
                    public void onException(Throwable e) {
                        renewed.completeExceptionally(e);
                    }
                }));
        } catch (Exception e) {
            renewed.completeExceptionally(e);
        }
        return renewed;
    }

    private static ChangeInvisibleTimeRequestHeader changeHeader(String group, String topic, ReceiptHandle h,
                                                                 long invisibleMillis, boolean uncounted) {
        ChangeInvisibleTimeRequestHeader header = new ChangeInvisibleTimeRequestHeader();
        header.setConsumerGroup(group);
        // A redelivered message lives in the retry topic; naming the original one would be lost silently.
        header.setTopic(ExtraInfoUtil.getRealTopic(topic, group, h.retry()));
        header.setQueueId(h.queueId());
        header.setOffset(h.queueOffset());
        header.setExtraInfo(h.extraInfo());
        header.setInvisibleTime(invisibleMillis);
        // RocketMQ 5.5's "suspend" checkpoint: PopReviveService.reviveRetry then copies the message to the retry
        // topic with reconsumeTimes as it was, not + 1 (PopCheckPoint: "nack without inc reconsume times").
        header.setSuspend(uncounted);
        return header;
    }

    /** Acks the handles, one batch call per broker. Stale handles are silently ignored by the broker. */
    @Override
    public CompletableFuture<Void> ack(String group, String topic, List<ReceiptHandle> handles) {
        return routes.of(topic).thenCompose(targets -> {
            Map<String, List<String>> byBroker = new HashMap<>();
            handles.forEach(h -> byBroker.computeIfAbsent(h.brokerName(), b -> new ArrayList<>()).add(h.extraInfo()));
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            byBroker.forEach((brokerName, infos) -> {
                CompletableFuture<Void> call = new CompletableFuture<>();
                try {
                    api.batchAckMessageAsync(addrOf(targets, brokerName), ACK_TIMEOUT_MILLIS, ackCallback(call, "ack"),
                        topic, group, infos);
                } catch (Exception e) {
                    call.completeExceptionally(BrokerFailure.failed("ack failed: " + e.getMessage(), e));
                }
                calls.add(call);
            });
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Makes the messages visible again after {@code invisibleMillis} (0: at once), i.e. gives a batch
     * back. One call per message: RocketMQ has no batch form of it. The broker counts this as a delivery:
     * the message comes back with {@code reconsumeTimes} + 1.
     *
     * @return the handles valid from now on, in order. In a queue-held (orderly) group the broker does
     *         nothing for a message already acked, and says so with a handle whose popTime is 0.
     */
    @Override
    public CompletableFuture<List<ReceiptHandle>> changeInvisibleTime(String group, String topic,
                                                                      List<ReceiptHandle> handles,
                                                                      long invisibleMillis) {
        return changeInvisibleTime(group, topic, handles, invisibleMillis, false);
    }

    /**
     * Makes messages that reached no client visible again at once, without counting a delivery: a plain
     * POP message comes back with the {@code reconsumeTimes} it was popped with. A queue-held (orderly)
     * message is counted anyway: the broker ignores the flag there and counts each pop of an unacked
     * offset (see {@code consume.Settlements}' queue-held give-back for how the proxy avoids it).
     */
    @Override
    public CompletableFuture<List<ReceiptHandle>> giveBackUndelivered(String group, String topic,
                                                                      List<ReceiptHandle> handles) {
        return changeInvisibleTime(group, topic, handles, 0, true);
    }

    private CompletableFuture<List<ReceiptHandle>> changeInvisibleTime(String group, String topic,
                                                                       List<ReceiptHandle> handles,
                                                                       long invisibleMillis, boolean uncounted) {
        return routes.of(topic).thenCompose(targets -> {
            List<CompletableFuture<ReceiptHandle>> calls = new ArrayList<>(handles.size());
            for (ReceiptHandle h : handles) {
                ChangeInvisibleTimeRequestHeader header = changeHeader(group, topic, h, invisibleMillis, uncounted);
                CompletableFuture<ReceiptHandle> call = new CompletableFuture<>();
                try {
                    api.changeInvisibleTimeAsync(h.brokerName(), addrOf(targets, h.brokerName()), header,
                        ACK_TIMEOUT_MILLIS, TraceIdCallbacks.carry(new AckCallback() {
                            @Override
                            public void onSuccess(AckResult r) {
                                if (r.getStatus() == AckStatus.OK && r.getExtraInfo() != null) {
                                    call.complete(ReceiptHandle.parse(r.getExtraInfo()));
                                } else {
                                    call.completeExceptionally(BrokerFailure.refused("release refused by the broker",
                                        null));
                                }
                            }

                            @Override
                            public void onException(Throwable e) {
                                call.completeExceptionally(BrokerFailure.failed("release failed: " + e.getMessage(),
                                    e));
                            }
                        }));
                } catch (Exception e) {
                    call.completeExceptionally(BrokerFailure.failed("release failed: " + e.getMessage(), e));
                }
                calls.add(call);
            }
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(v -> calls.stream().map(CompletableFuture::join).toList());
        });
    }

    private static String addrOf(List<TopicRoutes.Target> targets, String brokerName) {
        for (TopicRoutes.Target t : targets) {
            if (t.brokerName().equals(brokerName)) {
                return t.addr();
            }
        }
        throw BrokerFailure.failed("broker '" + brokerName + "' of this receipt is not serving the topic now", null);
    }

    private static AckCallback ackCallback(CompletableFuture<Void> call, String what) {
        return TraceIdCallbacks.carry(new AckCallback() {
            @Override
            public void onSuccess(AckResult r) {
                if (r.getStatus() == AckStatus.OK) {
                    call.complete(null);
                } else {
                    call.completeExceptionally(BrokerFailure.refused(what + " refused by the broker", null));
                }
            }

            @Override
            public void onException(Throwable e) {
                call.completeExceptionally(BrokerFailure.failed(what + " failed: " + e.getMessage(), e));
            }
        });
    }

    /** The consume routes, which start-up loads before the proxy says it is ready. */
    TopicRoutes routes() {
        return routes;
    }

    @Override
    public void close() {
        routes.close();
        deadLetters.shutdownNow();
    }
}
