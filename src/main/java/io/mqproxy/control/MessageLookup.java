package io.mqproxy.control;

import io.mqproxy.broker.FilterMatch;
import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.broker.GroupAdmin.QueueOffset;
import io.mqproxy.broker.MessageFinder;
import io.mqproxy.broker.MessageFinder.Found;
import io.mqproxy.broker.RedriveHistory;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.message.MessageText;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * "Did my message arrive, and did they consume it?": finds stored messages by id, key or time, and
 * says where each is for every group of its topic, as exactly as the broker can tell (README,
 * "Finding a message"). Reads only; nothing here changes anything, so nothing is audited. Blocks:
 * the control service runs it on its pool.
 */
public final class MessageLookup {
    static final int MAX_PAGE = 100;
    static final int MAX_BY_KEY = 64;
    private static final Pattern ID = Pattern.compile("[0-9A-Fa-f]{16,64}");

    /**
     * Where a message is for one group (or one broadcast clientId), and what happened to it there, oldest
     * first (empty when it was never dead-lettered there).
     */
    public record GroupState(String group, String clientId, String state, boolean exact, String note,
                             Redrive redrive, List<Event> history) {
        GroupState(String group, String clientId, String state, boolean exact, String note) {
            this(group, clientId, state, exact, note, null, List.of());
        }
    }

    /** One step of a message's history in a group: {@code DEAD_LETTERED} (by the proxy) or {@code REDRIVEN} (by). */
    public record Event(String event, long at, String by) {
    }

    /** The redrives a stored copy records (its properties): how many, the last by whom and when. */
    public record CarriedRedrives(int redrives, String lastBy, long lastAt) {
        static CarriedRedrives of(Map<String, String> properties) {
            RedriveHistory h = RedriveHistory.of(properties);
            return h.redriven() ? new CarriedRedrives(h.redrives(), h.lastBy(), h.lastAt()) : null;
        }
    }

    /**
     * For state {@code REDRIVEN}: who redrove the dead letter, when, the how-many-th redrive that was,
     * and the state of the redriven copy ({@code IN_RETRY}: waiting to be delivered, {@code DELIVERED}).
     */
    public record Redrive(String operator, long at, int redrives, String copyState) {
    }

    /**
     * A message as an operator reads it. {@code clientIp}: the HTTP client that produced it, as the proxy
     * saw it; {@code bornHost}: who sent it to the broker (the proxy instance); {@code producerGroup}: as
     * the message records it (transactional messages only); {@code producers}: the producers registered
     * for its topic (a message does not record which of them sent it).
     */
    public record MessageView(String messageId, String offsetMsgId, String topic, String brokerName, int queueId,
                       long queueOffset, long storeTimestamp, long bornTimestamp, String keys, String tags,
                       Map<String, String> properties, int size, String clientIp, String bornHost,
                       String producerGroup, List<String> producers, CarriedRedrives redriveHistory, int reconsumeTimes,
                       String body, String encoding, boolean truncated, int bodyBytes, List<GroupState> states) {
    }

    public record PageView(List<MessageView> messages, String cursor) {
    }

    private final Registry registry;
    private final MessageFinder finder;
    private final GroupAdmin groups;
    private final int previewBytes;
    private final RedriveMarks marks;

    /** The audit's redrives of a group's dead letters since a time, by {@code RedriveCommands#mark}. */
    interface RedriveMarks {
        Map<String, RedriveCommands.AuditedRedrive> since(String group, String clientId, long oldest) throws Exception;
    }

    MessageLookup(Registry registry, MessageFinder finder, GroupAdmin groups, int previewBytes, RedriveMarks marks) {
        this.marks = marks;
        this.registry = registry;
        this.finder = finder;
        this.groups = groups;
        this.previewBytes = previewBytes;
    }

    List<MessageView> byId(String topic, String id, boolean states, String clientId, boolean full) throws Exception {
        if (id == null || id.isBlank()) {
            throw Errors.missing("id");
        }
        if (!ID.matcher(id).matches()) {
            throw Errors.badParam("id", "must be a message id (the msgId produce answered, or the broker's offset "
                + "id): 16..64 hex digits, got '" + shorten(id) + "'");
        }
        if (topic != null) {
            checkTopic(topic);
        }
        List<Found> found = finder.byId(topic, id);
        if (found.isEmpty() && topic == null) {
            throw Errors.notFound("message '" + id + "' (give its topic to find it by the msgId produce answered)");
        }
        if (found.isEmpty()) {
            throw Errors.notFound("message '" + id + "' in topic '" + topic + "'");
        }
        List<MessageView> out = new ArrayList<>();
        for (Found f : found) {
            out.add(view(f, full, states ? states(f, clientId) : null));
        }
        return out;
    }

    List<MessageView> byKey(String topic, String key, long begin, long end, int limit, boolean full) throws Exception {
        checkTopic(topic);
        checkRange(begin, end);
        if (limit < 1 || limit > MAX_BY_KEY) {
            throw Errors.badParam("limit", "must be 1.." + MAX_BY_KEY + ", got " + limit);
        }
        List<MessageView> out = new ArrayList<>();
        for (Found f : finder.byKey(topic, key, begin, end, limit)) {
            out.add(view(f, full, null));
        }
        return out;
    }

    PageView byTime(String topic, long begin, long end, String tag, int pageSize, String cursor, boolean full)
        throws Exception {
        checkTopic(topic);
        checkRange(begin, end);
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw Errors.badParam("pageSize", "must be 1.." + MAX_PAGE + ", got " + pageSize);
        }
        MessageFinder.Page page;
        try {
            page = finder.byTime(topic, begin, end, tag, pageSize, cursor);
        } catch (IllegalArgumentException badCursor) {
            throw Errors.badParam("cursor", "not a cursor this proxy gave: pass the previous page's cursor unchanged");
        }
        List<MessageView> out = new ArrayList<>();
        for (Found f : page.messages()) {
            out.add(view(f, full, null));
        }
        return new PageView(out, page.cursor());
    }

    /**
     * Where the message is for each group of its topic. For broadcast groups only the named clientId
     * (each clientId is a group of its own, and there may be thousands).
     */
    private List<GroupState> states(Found f, String clientId) throws Exception {
        List<GroupState> states = new ArrayList<>();
        for (ConsumerGroup g : registry.consumers()) {
            if (!g.topic().equals(f.topic())) {
                continue;
            }
            if (g.broadcast() && clientId == null) {
                states.add(new GroupState(g.name(), null, "PER_CLIENT", true,
                    "a broadcast group: ask with clientId for one client's state"));
                continue;
            }
            states.add(state(g, g.broadcast() ? clientId : null, f));
        }
        return states;
    }

    private GroupState state(ConsumerGroup g, String clientId, Found f) throws Exception {
        String brokerGroup = BrokerGroups.forClient(g.name(), clientId);
        String dlq = "%DLQ%" + brokerGroup;
        List<Found> letters = finder.exists(dlq) ? finder.byId(dlq, f.messageId()) : List.of();
        if (!letters.isEmpty()) {
            long lastDeadLettered = letters.stream().mapToLong(Found::storeTimestamp).max().orElse(0);
            RedriveCommands.AuditedRedrive audited = marks.since(g.name(), clientId, lastDeadLettered)
                .get(f.messageId() + "@" + lastDeadLettered);
            List<Event> history = history(letters, audited);
            return audited != null ? redriven(g, clientId, brokerGroup, f, lastDeadLettered, audited, history)
                : new GroupState(g.name(), clientId, "DEAD_LETTERED", true, "moved to " + dlq
                    + (letters.size() > 1 ? " (" + letters.size() + " times)" : ""), null, history);
        }
        long committed = committed(f.topic(), brokerGroup, f.brokerName(), f.queueId());
        FilterMatch filter = FilterMatch.of(g.filter());
        if (!filter.matches(f.tags(), FilterMatch.stored(f.tags(), f.keys(), f.properties()))) {
            // The broker skips it for this group (and counts it consumed once a pop reads past it). Behind the
            // offset it may also have been delivered before the filter changed: the broker does not say.
            return f.queueOffset() >= committed
                ? new GroupState(g.name(), clientId, "FILTERED", true, "the group's filter (" + filter
                    + ") does not take it: it will not be delivered")
                : new GroupState(g.name(), clientId, "FILTERED", false, "the group's filter (" + filter
                    + ") does not take it: skipped, or delivered before the filter was set or changed");
        }
        if (!g.pop()) {
            // Orderly POP moves a group's offset when a batch is acked.
            return f.queueOffset() < committed
                ? new GroupState(g.name(), clientId, "ACKED", true, "the group has acked past it")
                : new GroupState(g.name(), clientId, "NOT_ACKED", false, "not yet delivered, or handed out and "
                    + "not acked: the broker does not say which");
        }
        // Plain POP moves a group's offset when a message is handed out.
        if (f.queueOffset() >= committed) {
            return new GroupState(g.name(), clientId, "NOT_DELIVERED", true, "not yet handed out");
        }
        String retryTopic = "%RETRY%" + brokerGroup + "_" + f.topic();
        if (finder.exists(retryTopic)) {
            for (Found copy : finder.byId(retryTopic, f.messageId())) {
                if (copy.queueOffset() >= committed(retryTopic, brokerGroup, copy.brokerName(), copy.queueId())) {
                    return new GroupState(g.name(), clientId, "IN_RETRY", true, "not acked in time, waiting in "
                        + retryTopic + " to be delivered again (delivery " + (copy.reconsumeTimes() + 1) + ")");
                }
            }
        }
        return new GroupState(g.name(), clientId, "DELIVERED", false, "handed out: acked, or in flight until its "
            + "consumeTimeout (the broker keeps no per-message ack state to read)");
    }

    /**
     * The message's dead-letterings in a group (the store times of its copies in the dead-letter topic) and
     * its redrives: the one each copy records (the redrive before it was dead-lettered again) and the one
     * the audit records since the last copy. Oldest first.
     */
    static List<Event> history(List<Found> letters, RedriveCommands.AuditedRedrive audited) {
        List<Event> events = new ArrayList<>();
        java.util.Set<Long> redrives = new java.util.HashSet<>();
        for (Found letter : letters) {
            events.add(new Event("DEAD_LETTERED", letter.storeTimestamp(), null));
            RedriveHistory h = RedriveHistory.of(letter.properties());
            if (h.redriven() && h.lastAt() > 0 && redrives.add(h.lastAt())) {
                events.add(new Event("REDRIVEN", h.lastAt(), h.lastBy()));
            }
        }
        if (audited != null && redrives.add(audited.at())) {
            events.add(new Event("REDRIVEN", audited.at(), audited.operator()));
        }
        events.sort(java.util.Comparator.comparingLong(Event::at));
        return events;
    }

    /**
     * A dead letter the audit says was redriven since it was last dead-lettered: who and when, and where
     * the redriven copy is now, read from the group's retry topic (the newest copy written after the dead
     * letter: the redrive's, or the broker's re-delivery of it). The name server learns of a new retry
     * topic late (within 30 s): until then, or once retention dropped the copy, its state is UNKNOWN.
     */
    private GroupState redriven(ConsumerGroup g, String clientId, String brokerGroup, Found f, long lastDeadLettered,
                                RedriveCommands.AuditedRedrive audited, List<Event> history) throws Exception {
        String retryTopic = "%RETRY%" + brokerGroup + "_" + f.topic();
        Found copy = null;
        if (finder.exists(retryTopic)) {
            for (Found c : finder.byId(retryTopic, f.messageId())) {
                if (c.storeTimestamp() >= lastDeadLettered && (copy == null || c.storeTimestamp() > copy.storeTimestamp())) {
                    copy = c;
                }
            }
        }
        int redrives = copy == null ? 0 : RedriveHistory.of(copy.properties()).redrives();
        String when = "redriven by " + audited.operator() + " at " + java.time.Instant.ofEpochMilli(audited.at());
        if (copy == null) {
            return new GroupState(g.name(), clientId, "REDRIVEN", false, when + "; the copy in " + retryTopic
                + " is not readable here (yet)", new Redrive(audited.operator(), audited.at(), redrives, "UNKNOWN"),
                history);
        }
        boolean waiting = copy.queueOffset() >= committed(retryTopic, brokerGroup, copy.brokerName(), copy.queueId());
        return new GroupState(g.name(), clientId, "REDRIVEN", waiting, when + "; then " + (waiting
            ? "waiting in " + retryTopic + " to be delivered (delivery " + (copy.reconsumeTimes() + 1) + ")"
            : "handed out: acked, or in flight until its consumeTimeout"),
            new Redrive(audited.operator(), audited.at(), redrives, waiting ? "IN_RETRY" : "DELIVERED"), history);
    }

    private long committed(String topic, String brokerGroup, String brokerName, int queueId) throws Exception {
        for (QueueOffset q : groups.offsets(topic, brokerGroup)) {
            if (q.queueId() == queueId && (brokerName == null || brokerName.equals(q.brokerName()))) {
                return q.consumedOffset();
            }
        }
        return 0;
    }

    private MessageView view(Found f, boolean full, List<GroupState> states) {
        boolean truncated = !full && f.body().length > previewBytes;
        byte[] shown = truncated ? Arrays.copyOf(f.body(), previewBytes) : f.body();
        MessageText body = MessageText.of(shown);
        String text = body.text();
        String encoding = body.encoding();
        if (truncated && encoding != null && MessageText.isUtf8(f.body())) {
            // The cut fell inside a UTF-8 character: show the text up to it, not base64 of a text body.
            text = new String(shown, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\uFFFD+$", "");
            encoding = null;
        }
        return new MessageView(f.messageId(), f.offsetMsgId(), f.topic(), f.brokerName(), f.queueId(), f.queueOffset(),
            f.storeTimestamp(), f.bornTimestamp(), f.keys(), f.tags(), f.properties(), f.size(),
            f.properties().get("clientIp"), f.bornHost(), f.producerGroup(), producersOf(f.topic()),
            CarriedRedrives.of(f.properties()), f.reconsumeTimes(), text, encoding, truncated,
            f.body().length, states);
    }

    private List<String> producersOf(String topic) {
        return registry.producers().stream().filter(p -> p.topic().equals(topic)).map(p -> p.name()).sorted()
            .toList();
    }

    private void checkTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw Errors.missing("topic");
        }
        String broken = ResourceNames.check(topic, ResourceNames.MAX_TOPIC_LENGTH);
        if (broken != null) {
            throw Errors.badParam("topic", broken);
        }
        if (!finder.exists(topic)) {
            throw Errors.badParam("topic", "no topic '" + topic + "' on this cluster");
        }
    }

    private static void checkRange(long begin, long end) {
        if (end <= begin) {
            throw Errors.badParam("until", "must be after since (" + begin + "), got " + end);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
