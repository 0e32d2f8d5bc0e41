package io.mqproxy.broker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqproxy.config.SubscriptionFilter;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * How many of the messages after a filtered group's offset on a queue the group will get: the broker
 * counts every message there, but a group with a filter gets only those its filter takes (and a pop
 * that reads past the others moves the offset over them, so an idle group's offset stays behind
 * messages it will never get). The unconsumed range is read and each message matched by
 * {@link FilterMatch}, at most {@link #SCAN_PER_QUEUE} messages per queue per collection; what was
 * learnt is kept (which offsets match, one bit each) per broker group and queue, so the next
 * collection reads only the offsets that arrived since. Where the bound stops a read, the rest is
 * estimated at the match ratio of what was read, and the count says it is an estimate.
 *
 * <p>Memory: at most {@link #MAX_SPAN} offsets (125 KB) per queue, {@link #MAX_BYTES} in all (the least
 * recently used queues are forgotten and read again); a queue not read for {@link #FORGET_AFTER} is
 * forgotten. Its calls block: the lag collector runs them on its own pool.
 */
final class FilteredBacklog {
    /** Messages read per queue and collection, at most. */
    static final int SCAN_PER_QUEUE = 2_000;
    /** Offsets after the committed one a queue's memo covers at most; past it, the rest is estimated. */
    static final int MAX_SPAN = 1_000_000;
    static final long MAX_BYTES = 32L << 20;
    static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    /** Offsets read per pull sequence: the deadline is looked at between them. */
    private static final int CHUNK = 128;

    /**
     * A queue's backlog for a filtered group.
     *
     * @param waiting       messages after the committed offset that the filter takes (with an estimate for
     *                      what was not read when {@code estimated})
     * @param headStoreTime store time of the first of them; 0 when none waits, -1 when none was found in
     *                      what was read but the rest was not read
     * @param reads         broker reads this count made
     */
    record Counted(long waiting, boolean estimated, long headStoreTime, int reads) {
    }

    private record Key(String brokerGroup, String topic, String brokerName, int queueId) {
    }

    /**
     * What is known of a queue: which offsets of {@code [base, end)} the filter takes (bit i: offset
     * base + i), and the store time of the first of them.
     */
    private record Memo(SubscriptionFilter filter, long base, long end, BitSet matches, long headOffset,
                        long headStoreTime) {
        int weight() {
            return matches.size() / Byte.SIZE + 64;
        }
    }

    /** Reads the messages stored at offsets [begin, end) of a queue, in offset order ({@link TopicReader#readRange}). */
    @FunctionalInterface
    interface Range {
        List<MessageExt> read(MessageQueue mq, long begin, long end) throws Exception;
    }

    private final Range reader;
    private final int scanPerQueue;
    private final Cache<Key, Memo> memos = Caffeine.newBuilder().maximumWeight(MAX_BYTES)
        .weigher((Key k, Memo m) -> m.weight()).expireAfterAccess(FORGET_AFTER).build();

    FilteredBacklog(Range reader, int scanPerQueue) {
        this.reader = reader;
        this.scanPerQueue = scanPerQueue;
    }

    /**
     * The backlog of {@code brokerGroup} on one queue whose messages {@code [committed, max)} wait,
     * reading no more than {@code scanPerQueue} of them and none after {@code deadlineNanos}
     * ({@link System#nanoTime()}). Blocks.
     */
    Counted count(String topic, String brokerGroup, SubscriptionFilter filter, String brokerName, int queueId,
                  long committed, long max, long deadlineNanos) throws Exception {
        FilterMatch match = FilterMatch.of(filter);
        Key key = new Key(brokerGroup, topic, brokerName, queueId);
        Memo known = memos.getIfPresent(key);
        long base = committed;
        long end = committed;
        BitSet bits = new BitSet();
        long headOffset = -1;
        long headStoreTime = 0;
        // Reused while the offset only moved forward inside what was read, under the same filter; an offset
        // reset, a changed filter or a queue that was emptied starts again.
        if (known != null && known.filter.equals(filter) && committed >= known.base && committed <= known.end
            && max >= known.end) {
            bits = known.matches.get((int) (committed - known.base), (int) (known.end - known.base));
            end = known.end;
            headOffset = known.headOffset;
            headStoreTime = known.headStoreTime;
        }
        long stop = Math.min(max, Math.min(end + scanPerQueue, base + MAX_SPAN));
        MessageQueue mq = new MessageQueue(topic, brokerName, queueId);
        int reads = 0;
        while (end < stop && System.nanoTime() < deadlineNanos) {
            List<MessageExt> chunk = reader.read(mq, end, Math.min(stop, end + CHUNK));
            reads++;
            if (chunk.isEmpty()) {
                break; // nothing readable there (yet): the rest is estimated
            }
            for (MessageExt m : chunk) {
                if (!match.matches(m)) {
                    continue;
                }
                int i = (int) (m.getQueueOffset() - base);
                if (bits.isEmpty() || i < bits.nextSetBit(0)) {
                    headOffset = m.getQueueOffset();
                    headStoreTime = m.getStoreTimestamp();
                }
                bits.set(i);
            }
            end = chunk.get(chunk.size() - 1).getQueueOffset() + 1;
        }
        int first = bits.nextSetBit(0);
        if (first < 0) {
            headOffset = -1;
            headStoreTime = end < max ? -1 : 0;
        } else if (base + first != headOffset) {
            // The first waiting match was consumed since: read the next one's store time (one message).
            headOffset = base + first;
            List<MessageExt> head = reader.read(mq, headOffset, headOffset + 1);
            reads++;
            headStoreTime = head.isEmpty() ? -1 : head.get(0).getStoreTimestamp();
        }
        memos.put(key, new Memo(filter, base, end, bits, headOffset, headStoreTime));
        long matching = bits.cardinality();
        long rest = max - end;
        if (rest <= 0) {
            return new Counted(matching, false, headStoreTime, reads);
        }
        long read = end - base;
        long guess = read > 0 ? Math.round((double) rest * matching / read) : rest;
        return new Counted(matching + guess, true, headStoreTime, reads);
    }
}
