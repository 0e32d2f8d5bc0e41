package io.mqproxy.broker;


import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageId;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.utils.NetworkUtil;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/** {@link MessageFinder} over RocketMQ's admin client and the topic reader. */
final class RocketMqMessageFinder implements MessageFinder {
    /** At most this many messages are read per queue for one page, however few match the tag. */
    private static final int SCAN_PER_QUEUE = 1_000;

    private final DefaultMQAdminExt admin;
    private final AdminClient cluster;
    private final TopicReader reader;

    RocketMqMessageFinder(AdminClient cluster, TopicReader reader) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.reader = reader;
    }

    /**
     * The message with this id in the topic: every stored copy with the producer's msgId, or the one
     * at the broker's offset id. With no topic only an offset id can be found.
     */
    @Override
    public List<Found> byId(String topic, String id) throws Exception {
        if (topic != null) {
            try {
                List<Found> found = new ArrayList<>();
                QueryResult r = reader.lookups().queryMessageByUniqKey(topic, id, 32, 0, Long.MAX_VALUE);
                for (MessageExt m : r.getMessageList()) {
                    found.add(found(m));
                }
                if (!found.isEmpty()) {
                    return found;
                }
            } catch (MQClientException notThere) {
                // not a msgId of this topic: perhaps an offset id
            }
        }
        MessageId decoded;
        try {
            decoded = MessageDecoder.decodeMessageId(id);
        } catch (Exception notAnOffsetId) {
            return List.of();
        }
        // Only ask a broker of this cluster: a msgId decoded as an offset id names some other address.
        String addr = NetworkUtil.socketAddress2String(decoded.getAddress());
        if (!cluster.masterAddrs().contains(addr)) {
            return List.of();
        }
        try {
            MessageExt m = cluster.admin().viewMessage(topic == null ? "" : topic, id);
            return m == null || topic != null && !topic.equals(m.getTopic()) ? List.of() : List.of(found(m));
        } catch (Exception notThere) {
            return List.of();
        }
    }

    /** Messages with this key stored between {@code begin} and {@code end}, at most {@code max}. */
    @Override
    public List<Found> byKey(String topic, String key, long begin, long end, int max) throws Exception {
        try {
            List<Found> found = new ArrayList<>();
            for (MessageExt m : admin.queryMessage(topic, key, max, begin, end).getMessageList()) {
                found.add(found(m));
            }
            found.sort(Comparator.comparingLong(Found::storeTimestamp).reversed());
            return found;
        } catch (MQClientException none) {
            return List.of();
        }
    }

    /**
     * Messages stored in {@code [begin, end)} (with {@code tag}, when given), newest first, one page of at
     * most {@code size}. A cursor from the previous page continues where it stopped.
     */
    @Override
    public Page byTime(String topic, long begin, long end, String tag, int size, String cursor) throws Exception {
        Map<String, Long> ends = cursor == null ? null : decodeCursor(cursor);
        List<Found> candidates = new ArrayList<>();
        Map<String, Long> nextEnds = new LinkedHashMap<>();
        Map<String, Long> starts = new HashMap<>();
        for (QueueRef q : queues(topic)) {
            long start = admin.searchOffset(q.addr, topic, q.queueId, begin, 5_000);
            long stop = ends != null ? ends.getOrDefault(q.key(), start) : admin.searchOffset(q.addr, topic, q.queueId,
                end, 5_000);
            starts.put(q.key(), start);
            long scanned = 0;
            List<Found> fromQueue = new ArrayList<>();
            long pos = stop;
            while (pos > start && fromQueue.size() < size && scanned < SCAN_PER_QUEUE) {
                long from = Math.max(start, pos - Math.min(size, 32));
                List<MessageExt> read = reader.read(new MessageQueue(topic, q.brokerName, q.queueId), null, from,
                    (int) (pos - from));
                if (read.isEmpty()) {
                    break;
                }
                for (int i = read.size() - 1; i >= 0; i--) {
                    MessageExt m = read.get(i);
                    if (m.getQueueOffset() >= pos || m.getQueueOffset() < from) {
                        continue;
                    }
                    scanned++;
                    if (m.getStoreTimestamp() >= begin && m.getStoreTimestamp() < end
                        && (tag == null || tag.equals(m.getTags()))) {
                        fromQueue.add(found(m));
                    }
                }
                pos = from;
            }
            fromQueue.replaceAll(f -> f.brokerName() != null ? f : f.withBroker(q.brokerName));
            candidates.addAll(fromQueue);
            nextEnds.put(q.key(), pos);
        }
        candidates.sort(Comparator.comparingLong(Found::storeTimestamp).reversed()
            .thenComparing(Found::queueOffset, Comparator.reverseOrder()));
        List<Found> page = candidates.size() <= size ? candidates : new ArrayList<>(candidates.subList(0, size));
        // Each queue resumes below the oldest of its messages on this page; a queue that gave none resumes
        // where its scan stopped.
        for (Found f : candidates.subList(page.size(), candidates.size())) {
            String key = f.brokerName() + ":" + f.queueId();
            nextEnds.merge(key, f.queueOffset() + 1, Math::max);
        }
        boolean more = nextEnds.entrySet().stream().anyMatch(e -> e.getValue() > starts.getOrDefault(e.getKey(), 0L));
        return new Page(page, more ? encodeCursor(nextEnds) : null);
    }

    /** Whether the name server knows the topic. */
    @Override
    public boolean exists(String topic) {
        return cluster.hasRoute(topic);
    }

    private record QueueRef(String brokerName, String addr, int queueId) {
        String key() {
            return brokerName + ":" + queueId;
        }
    }

    private List<QueueRef> queues(String topic) throws Exception {
        var route = admin.examineTopicRouteInfo(topic);
        Map<String, String> addrs = new HashMap<>();
        for (BrokerData b : route.getBrokerDatas()) {
            String master = b.getBrokerAddrs().get(0L);
            if (master != null) {
                addrs.put(b.getBrokerName(), master);
            }
        }
        List<QueueRef> out = new ArrayList<>();
        for (QueueData q : route.getQueueDatas()) {
            String addr = addrs.get(q.getBrokerName());
            for (int i = 0; addr != null && i < q.getReadQueueNums(); i++) {
                out.add(new QueueRef(q.getBrokerName(), addr, i));
            }
        }
        return out;
    }

    private static String encodeCursor(Map<String, Long> ends) {
        StringBuilder s = new StringBuilder();
        ends.forEach((k, v) -> s.append(k).append('=').append(v).append(';'));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.toString().getBytes(
            java.nio.charset.StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when it is not a cursor this finder made */
    static Map<String, Long> decodeCursor(String cursor) {
        String text = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Long> ends = new HashMap<>();
        for (String part : text.split(";")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.lastIndexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("not a cursor");
            }
            ends.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return ends;
    }

    private static Found found(MessageExt m) {
        Map<String, String> user = new LinkedHashMap<>();
        m.getProperties().forEach((k, v) -> {
            if (!MessageConst.STRING_HASH_SET.contains(k)) {
                user.put(k, v);
            }
        });
        String id = MessageClientIDSetter.getUniqID(m);
        String born = m.getBornHost() == null ? null : NetworkUtil.socketAddress2String(m.getBornHost());
        String offsetId = m instanceof MessageClientExt c ? c.getOffsetMsgId() : m.getMsgId();
        return new Found(id != null ? id : offsetId, offsetId, m.getTopic(), m.getBrokerName(),
            m.getQueueId(), m.getQueueOffset(), m.getStoreTimestamp(), m.getBornTimestamp(), m.getKeys(), m.getTags(),
            user, m.getStoreSize(), born, m.getProperty(MessageConst.PROPERTY_PRODUCER_GROUP), m.getReconsumeTimes(),
            m.getBody());
    }

}
