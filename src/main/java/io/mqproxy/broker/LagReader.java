package io.mqproxy.broker;

import io.mqproxy.broker.embedded.InProcessBrokers;
import io.mqproxy.config.SubscriptionFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.KeyBuilder;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.body.ConsumeStatsList;
import org.apache.rocketmq.remoting.protocol.body.QueueTimeSpan;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.exception.RemotingSendRequestException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads where consumer groups stand at the brokers, for the lag collector: committed offsets of the
 * group's topic and POP retry topic, the end offsets of its dead-letter topic, the store time of the
 * first message waiting on each queue, and, when the broker runs in this JVM, how many messages it
 * handed out by POP that are not acked yet (remotely the broker does not expose that count). What
 * every group of a collection shares (the topic list, routes, topic offsets) is read once per
 * {@link Pass}.
 *
 * <p>Committed offsets come in one call per broker for every group it has ({@code GET_BROKER_CONSUME_STATS})
 * once a collection reads at least {@code brokerWideFrom} groups, else in one call per group and broker
 * (both its topics at once). The one call costs what the broker's groups cost, others' included: a broker
 * that lists many more groups than the collection reads is read group by group for a while. Calls block.
 */
public final class LagReader {
    private static final Logger log = LoggerFactory.getLogger(LagReader.class);
    /**
     * Where a group stands on one queue of one broker.
     *
     * @param waiting   messages after the committed offset that the group will get: all of them, or for a
     *                  group with a filter those it takes ({@link FilteredBacklog})
     * @param estimated whether {@code waiting} is partly estimated (a filtered queue not read to its end)
     */
    public record QueuePosition(String brokerName, int queueId, long maxOffset, long committedOffset,
                                long inflight, long headStoreTime, long waiting, boolean estimated) {
        /** A queue whose every message after the committed offset is for the group (no filter). */
        public QueuePosition(String brokerName, int queueId, long maxOffset, long committedOffset, long inflight,
                             long headStoreTime) {
            this(brokerName, queueId, maxOffset, committedOffset, inflight, headStoreTime,
                Math.max(0, maxOffset - committedOffset), false);
        }

        /**
         * Messages after the committed offset that the group will get. For plain POP that offset moves when a
         * message is handed out (and past the messages a filter skips, when a pop reads past them).
         */
        public long diff() {
            return waiting;
        }

        public boolean inflightKnown() {
            return inflight >= 0;
        }
    }

    /**
     * A broker group's position at every broker serving its topic.
     *
     * @param retry         its POP retry topic's queues (messages handed out, not acked in time, and put back)
     * @param deadLetters   end offsets of its dead-letter topic: every message dead-lettered, retention aside
     * @param inflightKnown whether every broker read runs in this JVM, so that in-flight counts are known
     */
    public record Position(String brokerGroup, List<QueuePosition> main, List<QueuePosition> retry, long deadLetters,
                           boolean inflightKnown) {
    }

    private record HeadKey(String addr, String topic, String group, int queueId) {
    }

    /** The first waiting message of a queue: its offset, and when it was stored (this host's clock). */
    private record Head(long offset, long storeTime) {
    }

    private record Broker(String name, String addr) {
    }

    /** A broker listing more than this many times the groups read (plus a margin) is mostly others' groups. */
    private static final int FOREIGN_FACTOR = 4;
    private static final int FOREIGN_MARGIN = 100;
    /** Passes a broker mostly of others' groups is read group by group before the one call is tried again. */
    private static final int GROUP_BY_GROUP_PASSES = 50;

    private final AdminClient cluster;
    private final long timeoutMillis;
    private volatile Map<HeadKey, Head> heads = Map.of();
    /** Brokers read group by group, until which pass. */
    private final Map<String, Long> groupByGroupUntil = new ConcurrentHashMap<>();
    private long passes;

    private final FilteredBacklog filtered;

    LagReader(AdminClient cluster, TopicReader reader, long timeoutMillis) {
        this.cluster = cluster;
        this.filtered = new FilteredBacklog(reader::readRange, FilteredBacklog.SCAN_PER_QUEUE);
        this.timeoutMillis = timeoutMillis;
    }

    private MQClientAPIImpl api() {
        return cluster.admin().getDefaultMQAdminExtImpl().getMqClientInstance().getMQClientAPIImpl();
    }

    /**
     * Starts a collection: reads the cluster's topic list once (which retry and dead-letter topics exist).
     *
     * @param reads          how many broker groups the collection will read
     * @param brokerWideFrom from how many reads each broker is read in one call for all its groups
     */
    public Pass begin(int reads, int brokerWideFrom) throws Exception {
        return new Pass(++passes, reads, brokerWideFrom);
    }

    /**
     * One collection. Its reads may run on several threads at once. What it learns of each queue's
     * first waiting message is kept for the next pass, whose reads skip the look-up when that queue
     * did not move; entries of groups not read are dropped, so the memory follows the groups read.
     */
    public final class Pass {
        private final MQClientAPIImpl api = api();
        private final long number;
        private final int reads;
        private final boolean brokerWide;
        private final Map<String, CompletableFuture<Map<String, Map<String, Map<Integer, OffsetWrapper>>>>> allGroups =
            new ConcurrentHashMap<>();
        private final LongAdder calls = new LongAdder();
        private final Set<String> topics;
        private final Map<String, CompletableFuture<List<Broker>>> routes = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Map<MessageQueue, TopicOffset>>> topicOffsets =
            new ConcurrentHashMap<>();
        private final Map<HeadKey, Head> seen = new ConcurrentHashMap<>();
        /** Brokers that did not answer in this pass: the other groups' reads fail at once instead of waiting. */
        private final Set<String> down = ConcurrentHashMap.newKeySet();

        private Pass(long number, int reads, int brokerWideFrom) throws Exception {
            this.number = number;
            this.reads = reads;
            this.brokerWide = reads >= brokerWideFrom;
            calls.increment();
            topics = api.getTopicListFromNameServer(timeoutMillis).getTopicList();
        }

        /** Broker calls made so far. */
        public long calls() {
            return calls.sum();
        }

        /** Ends the pass: what it learnt of the first waiting messages replaces the last pass's. */
        public void end() {
            heads = Map.copyOf(seen);
        }

        /** The position of {@code brokerGroup} on {@code topic}, its POP retry topic and its dead letters. */
        public Position read(String topic, String brokerGroup) throws Exception {
            List<QueuePosition> main = new ArrayList<>();
            List<QueuePosition> retry = new ArrayList<>();
            boolean inflightKnown = true;
            Set<String> retryTopics = Set.of(KeyBuilder.buildPopRetryTopicV1(topic, brokerGroup),
                KeyBuilder.buildPopRetryTopicV2(topic, brokerGroup));
            for (Broker broker : route(topic)) {
                inflightKnown &= InProcessBrokers.here(broker.addr());
                Map<String, Map<Integer, OffsetWrapper>> byTopic = committed(broker, brokerGroup);
                Map<MessageQueue, TopicOffset> ends = topicOffsets(broker, topic);
                Map<Integer, OffsetWrapper> committed = byTopic.getOrDefault(topic, Map.of());
                List<QueuePosition> here = new ArrayList<>();
                ends.forEach((mq, end) -> {
                    OffsetWrapper o = committed.get(mq.getQueueId());
                    // A queue the group never read starts at its first message still stored (ConsumeInitMode.MIN).
                    long from = Math.max(o == null ? 0 : o.getConsumerOffset(), end.getMinOffset());
                    here.add(new QueuePosition(broker.name(), mq.getQueueId(), end.getMaxOffset(), from,
                        inflight(broker, topic, brokerGroup, mq.getQueueId()), 0));
                });
                main.addAll(withHeads(broker, topic, brokerGroup, here));
                for (String retryTopic : retryTopics) {
                    Map<Integer, OffsetWrapper> r = byTopic.get(retryTopic);
                    List<QueuePosition> back = new ArrayList<>();
                    if (r != null) {
                        r.forEach((queueId, o) -> back.add(new QueuePosition(broker.name(), queueId,
                            o.getBrokerOffset(), o.getConsumerOffset(), inflight(broker, retryTopic, brokerGroup,
                            queueId), 0)));
                    } else if (storedOn(broker, retryTopic)) {
                        // The group has not popped its retry topic yet, so the broker reports no offsets for it,
                        // yet messages wait there: an operator's re-delivery by id is written straight into it.
                        // The broker's POP starts a retry topic at its first stored message, so count from there.
                        topicOffsets(broker, retryTopic).forEach((mq, end) -> back.add(new QueuePosition(
                            broker.name(), mq.getQueueId(), end.getMaxOffset(), end.getMinOffset(),
                            inflight(broker, retryTopic, brokerGroup, mq.getQueueId()), 0)));
                    }
                    retry.addAll(withHeads(broker, retryTopic, brokerGroup, back));
                }
            }
            return new Position(brokerGroup, sorted(main), sorted(retry), deadLetters(brokerGroup), inflightKnown);
        }

        /**
         * The same for a group with a filter (null: none): each queue's backlog counts only the messages the
         * filter takes, read up to {@code deadlineNanos} ({@link System#nanoTime()}) and estimated past it.
         */
        public Position read(String topic, String brokerGroup, SubscriptionFilter filter, long deadlineNanos)
            throws Exception {
            Position p = read(topic, brokerGroup);
            if (SubscriptionFilter.normalized(filter) == null) {
                return p;
            }
            List<QueuePosition> main = new ArrayList<>();
            for (QueuePosition q : p.main()) {
                if (q.diff() == 0) {
                    main.add(q);
                    continue;
                }
                FilteredBacklog.Counted c = filtered.count(topic, brokerGroup, filter, q.brokerName(), q.queueId(),
                    q.committedOffset(), q.maxOffset(), deadlineNanos);
                calls.add(c.reads());
                main.add(new QueuePosition(q.brokerName(), q.queueId(), q.maxOffset(), q.committedOffset(),
                    q.inflight(), c.headStoreTime() >= 0 ? c.headStoreTime() : q.headStoreTime(), c.waiting(),
                    c.estimated()));
            }
            return new Position(p.brokerGroup(), List.copyOf(main), p.retry(), p.deadLetters(), p.inflightKnown());
        }

        /** The group's committed offsets on the broker, by topic and queue; empty when it never read there. */
        private Map<String, Map<Integer, OffsetWrapper>> committed(Broker broker, String group) throws Exception {
            Long until = groupByGroupUntil.get(broker.addr());
            if (brokerWide && (until == null || until < number)) {
                return everyGroup(broker).getOrDefault(group, Map.of());
            }
            ConsumeStats stats = call(broker, () -> api.getConsumeStats(broker.addr(), group, (String) null,
                timeoutMillis));
            return byTopic(List.of(stats));
        }

        /** Every group's committed offsets on the broker, in one call; read once per pass. */
        private Map<String, Map<String, Map<Integer, OffsetWrapper>>> everyGroup(Broker broker) throws Exception {
            return once(allGroups, broker.addr(), () -> {
                ConsumeStatsList all = call(broker, () -> api.fetchConsumeStatsInBroker(broker.addr(), false,
                    timeoutMillis));
                Map<String, Map<String, Map<Integer, OffsetWrapper>>> byGroup = new HashMap<>();
                for (Map<String, List<ConsumeStats>> groups : all.getConsumeStatsList()) {
                    groups.forEach((group, stats) -> byGroup.put(group, byTopic(stats)));
                }
                if (byGroup.size() > FOREIGN_FACTOR * reads + FOREIGN_MARGIN) {
                    groupByGroupUntil.put(broker.addr(), number + GROUP_BY_GROUP_PASSES);
                    log.info("broker {} has {} consumer groups for the {} read: read group by group for the next {} "
                        + "collections", broker.name(), byGroup.size(), reads, GROUP_BY_GROUP_PASSES);
                }
                return byGroup;
            });
        }

        private long inflight(Broker broker, String topic, String group, int queueId) {
            return InProcessBrokers.popInflight(broker.addr(), topic, group, queueId);
        }

        /**
         * Adds the store time of each queue's first waiting message. The broker reads it from its index
         * (no message body travels); a queue whose committed offset did not move since the last pass
         * has the same first message, so it costs nothing then.
         */
        private List<QueuePosition> withHeads(Broker broker, String topic, String group, List<QueuePosition> queues)
            throws Exception {
            Map<HeadKey, Head> known = heads;
            boolean lookUp = false;
            for (QueuePosition q : queues) {
                if (q.diff() > 0) {
                    Head h = known.get(new HeadKey(broker.addr(), topic, group, q.queueId()));
                    lookUp |= h == null || h.offset() != q.committedOffset();
                }
            }
            Map<Integer, QueueTimeSpan> spans = new HashMap<>();
            long now = System.currentTimeMillis();
            if (lookUp) {
                for (QueueTimeSpan s : call(broker, () -> api.queryConsumeTimeSpan(broker.addr(), topic, group,
                    timeoutMillis))) {
                    spans.put(s.getMessageQueue().getQueueId(), s);
                }
            }
            List<QueuePosition> out = new ArrayList<>(queues.size());
            for (QueuePosition q : queues) {
                if (q.diff() == 0) {
                    out.add(q);
                    continue;
                }
                HeadKey key = new HeadKey(broker.addr(), topic, group, q.queueId());
                Head h = known.get(key);
                if (h == null || h.offset() != q.committedOffset()) {
                    h = head(spans.get(q.queueId()), q.committedOffset(), now);
                }
                if (h != null) {
                    seen.put(key, h);
                }
                out.add(new QueuePosition(q.brokerName(), q.queueId(), q.maxOffset(), q.committedOffset(), q.inflight(),
                    h == null ? 0 : h.storeTime()));
            }
            return out;
        }

        /**
         * The broker answers how long ago the message at the group's offset was stored (its own clock, so
         * clock skew does not matter). For a queue the group never read that offset is -1 and the answer
         * is meaningless: the first message still stored is then the one waiting, and nothing can be older.
         */
        private static Head head(QueueTimeSpan span, long offset, long now) {
            if (span == null || span.getDelayTime() <= 0) {
                return null;
            }
            long stored = now - span.getDelayTime();
            if (span.getMinTimeStamp() > 0) {
                stored = Math.max(stored, span.getMinTimeStamp());
            }
            return new Head(offset, stored);
        }

        /** Whether the broker holds queues of a topic; free (no call) when the cluster has no such topic at all. */
        private boolean storedOn(Broker broker, String topic) throws Exception {
            if (!topics.contains(topic)) {
                return false;
            }
            return route(topic).stream().anyMatch(b -> b.addr().equals(broker.addr()));
        }

        /** Messages ever dead-lettered for the group: the end offsets of its dead-letter topic. */
        private long deadLetters(String group) throws Exception {
            String dlq = MixAll.getDLQTopic(group);
            if (!topics.contains(dlq)) {
                return 0;
            }
            long sum = 0;
            for (Broker broker : route(dlq)) {
                for (TopicOffset o : topicOffsets(broker, dlq).values()) {
                    sum += o.getMaxOffset();
                }
            }
            return sum;
        }

        /** The master brokers with readable queues of the topic; read once per pass. */
        private List<Broker> route(String topic) throws Exception {
            return once(routes, topic, () -> {
                calls.increment();
                TopicRouteData route = api.getTopicRouteInfoFromNameServer(topic, timeoutMillis, false);
                return TopicRoutes.readableMasters(route).stream().map(t -> new Broker(t.brokerName(), t.addr()))
                    .toList();
            });
        }

        /** Each queue's first and end offsets on one broker; read once per pass and shared by the topic's groups. */
        private Map<MessageQueue, TopicOffset> topicOffsets(Broker broker, String topic) throws Exception {
            return once(topicOffsets, broker.addr() + " " + topic, () -> call(broker,
                () -> Map.copyOf(api.getTopicStatsInfo(broker.addr(), topic, timeoutMillis).getOffsetTable())));
        }

        /** One call to a broker, counted; a broker that did not answer once in this pass is not asked again. */
        private <T> T call(Broker broker, Read<T> read) throws Exception {
            if (down.contains(broker.addr())) {
                throw new IllegalStateException("broker " + broker.name() + " at " + broker.addr()
                    + " did not answer earlier in this collection");
            }
            calls.increment();
            try {
                return read.read();
            } catch (RemotingConnectException | RemotingTimeoutException | RemotingSendRequestException e) {
                down.add(broker.addr());
                throw e;
            }
        }
    }

    private interface Read<T> {
        T read() throws Exception;
    }

    /** The value for {@code key}, read by the first thread that asks; the others wait for it (never under a lock). */
    private static <T> T once(Map<String, CompletableFuture<T>> cache, String key, Read<T> read) throws Exception {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<T> theirs = cache.putIfAbsent(key, mine);
        if (theirs == null) {
            try {
                mine.complete(read.read());
            } catch (Exception e) {
                mine.completeExceptionally(e);
            }
            theirs = mine;
        }
        try {
            return theirs.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static Map<String, Map<Integer, OffsetWrapper>> byTopic(List<ConsumeStats> stats) {
        Map<String, Map<Integer, OffsetWrapper>> byTopic = new HashMap<>();
        for (ConsumeStats s : stats) {
            s.getOffsetTable().forEach((mq, o) -> byTopic.computeIfAbsent(mq.getTopic(), t -> new HashMap<>())
                .put(mq.getQueueId(), o));
        }
        return byTopic;
    }

    private static List<QueuePosition> sorted(List<QueuePosition> queues) {
        queues.sort((a, b) -> a.brokerName().equals(b.brokerName()) ? Integer.compare(a.queueId(), b.queueId())
            : a.brokerName().compareTo(b.brokerName()));
        return List.copyOf(queues);
    }
}
