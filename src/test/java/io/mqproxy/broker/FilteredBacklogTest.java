package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.SubscriptionFilter;
import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;

/**
 * A filtered group's backlog on one queue: only the messages its filter takes, read once (later
 * collections read only new offsets), bounded per collection and estimated past the bound. The queue
 * is a list of real RocketMQ messages behind the reader's one method.
 */
class FilteredBacklogTest {
    private static final SubscriptionFilter TAG_A = new SubscriptionFilter(SubscriptionFilter.Type.TAG, "a");

    /** One queue's stored messages, offset i at index i, and the offsets each read asked for. */
    private static final class Queue implements FilteredBacklog.Range {
        final List<MessageExt> stored = new ArrayList<>();
        final List<long[]> reads = new ArrayList<>();

        void add(String tag, int n) {
            for (int i = 0; i < n; i++) {
                MessageExt m = new MessageExt();
                m.setTopic("t");
                m.setTags(tag);
                m.setQueueOffset(stored.size());
                m.setStoreTimestamp(1_000 + stored.size());
                stored.add(m);
            }
        }

        long max() {
            return stored.size();
        }

        long offsetsRead() {
            return reads.stream().mapToLong(r -> r[1] - r[0]).sum();
        }

        @Override
        public List<MessageExt> read(MessageQueue mq, long begin, long end) {
            reads.add(new long[] {begin, end});
            return new ArrayList<>(stored.subList((int) Math.min(begin, stored.size()),
                (int) Math.min(end, stored.size())));
        }
    }

    private static FilteredBacklog.Counted count(FilteredBacklog b, SubscriptionFilter f, long committed, long max)
        throws Exception {
        return b.count("t", "g", f, "broker-a", 0, committed, max, Long.MAX_VALUE);
    }

    @Test
    void countsOnlyMatchingMessages_andTheFirstOnesStoreTime() throws Exception {
        Queue q = new Queue();
        q.add("b", 4);
        q.add("a", 3);
        q.add("b", 3);
        FilteredBacklog.Counted c = count(new FilteredBacklog(q, 2_000), TAG_A, 0, q.max());
        assertThat(c.waiting()).isEqualTo(3);
        assertThat(c.estimated()).isFalse();
        assertThat(c.headStoreTime()).as("offset 4 is the first the group gets").isEqualTo(1_004);
    }

    @Test
    void nothingMatching_isNoBacklog_andNoAge() throws Exception {
        Queue q = new Queue();
        q.add("b", 10);
        FilteredBacklog.Counted c = count(new FilteredBacklog(q, 2_000), TAG_A, 0, q.max());
        assertThat(c.waiting()).isZero();
        assertThat(c.headStoreTime()).isZero();
    }

    @Test
    void aLaterCollection_readsOnlyNewOffsets_andFollowsTheOffset() throws Exception {
        Queue q = new Queue();
        q.add("a", 5);
        q.add("b", 5);
        FilteredBacklog b = new FilteredBacklog(q, 2_000);
        assertThat(count(b, TAG_A, 0, q.max()).waiting()).isEqualTo(5);
        long before = q.offsetsRead();
        q.add("a", 2);
        assertThat(count(b, TAG_A, 0, q.max()).waiting()).isEqualTo(7);
        assertThat(q.offsetsRead() - before).as("only the two new offsets").isEqualTo(2);

        // The group consumed up to offset 3: two of the first five are left, and the head moved.
        before = q.offsetsRead();
        FilteredBacklog.Counted after = count(b, TAG_A, 3, q.max());
        assertThat(after.waiting()).isEqualTo(4);
        assertThat(after.headStoreTime()).isEqualTo(1_003);
        assertThat(q.offsetsRead() - before).as("one message read for the new head's store time").isEqualTo(1);
        assertThat(count(b, TAG_A, q.max(), q.max()).waiting()).isZero();
    }

    @Test
    void aChangedFilter_orAnOffsetMovedBack_isReadAgain() throws Exception {
        Queue q = new Queue();
        q.add("a", 3);
        q.add("b", 2);
        FilteredBacklog b = new FilteredBacklog(q, 2_000);
        assertThat(count(b, TAG_A, 2, q.max()).waiting()).isEqualTo(1);
        assertThat(count(b, TAG_A, 0, q.max()).waiting()).as("reset to the start").isEqualTo(3);
        SubscriptionFilter tagB = new SubscriptionFilter(SubscriptionFilter.Type.TAG, "b");
        assertThat(count(b, tagB, 0, q.max()).waiting()).isEqualTo(2);
    }

    @Test
    void pastTheBound_theRestIsEstimatedAtTheRatioRead_andLaterCollectionsReadOn() throws Exception {
        Queue q = new Queue();
        for (int i = 0; i < 50; i++) {
            q.add("a", 1);
            q.add("b", 3);
        }
        FilteredBacklog b = new FilteredBacklog(q, 40);
        FilteredBacklog.Counted first = count(b, TAG_A, 0, q.max());
        assertThat(first.estimated()).isTrue();
        assertThat(first.waiting()).as("10 found in 40 read, 40 estimated in the 160 not read").isEqualTo(50);
        assertThat(q.offsetsRead()).isEqualTo(40);
        count(b, TAG_A, 0, q.max());
        count(b, TAG_A, 0, q.max());
        count(b, TAG_A, 0, q.max());
        FilteredBacklog.Counted whole = count(b, TAG_A, 0, q.max());
        assertThat(whole.estimated()).isFalse();
        assertThat(whole.waiting()).isEqualTo(50);
        assertThat(q.offsetsRead()).as("every offset read once").isEqualTo(200);
    }

    @Test
    void aSqlFilter_overProperties() throws Exception {
        Queue q = new Queue();
        q.add("x", 4);
        q.stored.get(1).putUserProperty("region", "eu");
        q.stored.get(3).putUserProperty("region", "us");
        SubscriptionFilter eu = new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "region = 'eu'");
        assertThat(count(new FilteredBacklog(q, 2_000), eu, 0, q.max()).waiting()).isEqualTo(1);
    }

    @Test
    void aPassedDeadline_readsNothing_andCountsEveryMessageAsAnEstimate() throws Exception {
        Queue q = new Queue();
        q.add("b", 10);
        FilteredBacklog.Counted c = new FilteredBacklog(q, 2_000).count("t", "g", TAG_A, "broker-a", 0, 0, q.max(),
            System.nanoTime() - 1);
        assertThat(c.waiting()).isEqualTo(10);
        assertThat(c.estimated()).isTrue();
        assertThat(c.headStoreTime()).as("unknown").isEqualTo(-1);
    }
}
