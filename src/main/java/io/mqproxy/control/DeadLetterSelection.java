package io.mqproxy.control;

import io.mqproxy.broker.GroupAdmin.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which dead letters a redrive takes: by id, or by key, tag, store-time range and text in the body
 * (all given must match); {@link #ALL} takes every one. Values arrive validated (AdminRoutes).
 *
 * @param ids   message ids, or null
 * @param key   one of the message's keys (exact), or null
 * @param tag   the message's tag (exact), or null
 * @param since stored at or after (epoch ms), or null
 * @param until stored before (epoch ms), or null
 * @param text  contained in the body read as UTF-8 (case-sensitive), or null
 */
public record DeadLetterSelection(Set<String> ids, String key, String tag, Long since, Long until, String text) {
    public static final DeadLetterSelection ALL = new DeadLetterSelection(null, null, null, null, null, null);

    public static DeadLetterSelection ofIds(Set<String> ids) {
        return new DeadLetterSelection(ids, null, null, null, null, null);
    }

    public boolean matches(StoredMessage m) {
        return (ids == null || ids.contains(m.messageId()))
            && (key == null || (m.keys() != null && Arrays.asList(m.keys().split(" ")).contains(key)))
            && (tag == null || tag.equals(m.tags()))
            && (since == null || m.storeTimestamp() >= since)
            && (until == null || m.storeTimestamp() < until)
            && (text == null || new String(m.body(), StandardCharsets.UTF_8).contains(text));
    }

    /** Whether it selects by more than ids or "all" (such redrives run in the background, at a rate). */
    public boolean byContent() {
        return key != null || tag != null || since != null || until != null || text != null;
    }

    /** What the audit and the answers show of it (the fields given). */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (ids != null) {
            out.put("messageIds", ids.size() <= 20 ? ids : ids.size() + " ids");
        }
        putIf(out, "key", key);
        putIf(out, "tag", tag);
        putIf(out, "since", since);
        putIf(out, "until", until);
        putIf(out, "text", text);
        if (out.isEmpty()) {
            out.put("all", true);
        }
        return out;
    }

    private static void putIf(Map<String, Object> out, String name, Object value) {
        if (value != null) {
            out.put(name, value);
        }
    }
}
