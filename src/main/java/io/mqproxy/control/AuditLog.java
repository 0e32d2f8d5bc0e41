package io.mqproxy.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqproxy.broker.AuditStore;
import io.mqproxy.broker.AuditTopic;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.security.AuditMac;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every change made through the control plane in the broker (the audit topic), where every
 * instance writes and reads it; each record is also logged on {@code io.mqproxy.audit}, as one JSON
 * object (nothing inside a value can start a new line, so a shipper parses each line as one record).
 *
 * <p>Each record is stored with its MAC ({@link AuditMac}): a record whose MAC is missing (written
 * before MACs, or by someone other than the proxy) or wrong is never shown as genuine. Reads walk back
 * through the topic a bounded number of messages per page, with a cursor to the rest, so no volume of
 * messages hides a record.
 */
final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("io.mqproxy.audit");
    /** How many messages one page looks at, at most: a page's work is bounded whatever the topic holds. */
    static final int SCAN_PER_PAGE = 10_000;
    /**
     * Records are dated by the proxy, stored by the broker: a walk bounded by {@code since} goes this much
     * further back, so a clock apart by less does not lose records at the edge.
     */
    private static final long CLOCK_SKEW_MILLIS = 5 * 60_000L;

    private final AuditStore store;
    private final AuditMac mac;
    private final String instance;
    /** Dates the records. */
    private final Clock clock;
    /** Package-private so a test reaches page boundaries without writing ten thousand messages. */
    volatile int scanPerPage = SCAN_PER_PAGE;

    AuditLog(AuditStore store, AuditMac mac, String instance, Clock clock) {
        this.clock = clock;
        this.store = store;
        this.mac = mac;
        this.instance = instance;
    }

    /** Records a change; blocks until the broker has it, so an answered change is an audited one. */
    void record(Actor actor, String action, String target, String clientId, Object before, Object after,
                String result) {
        record(new AuditRecord(clock.millis(), actor == null ? null : actor.operator(),
            actor == null ? null : actor.requestId(), action, target, clientId, before, after, result, instance,
            null, null));
    }

    /** Records what the HTTP edge refused or saw fail (and no change recorded), or a failed login. Blocks. */
    void record(AuditRecord record) {
        logLine(record, null);
        try {
            byte[] bytes = RegistrySync.JSON.writeValueAsBytes(record);
            store.append(record.target(), bytes, mac.sign(bytes)).join();
        } catch (Exception e) {
            log.error("{}", json(Map.of("error", "audit record not stored in " + AuditTopic.TOPIC, "cause",
                e.toString(), "requestId", String.valueOf(record.requestId()))));
        }
    }

    /** Logs a record that could not be stored at all (its line says why). */
    void notRecorded(AuditRecord record, String why) {
        logLine(record, why);
    }

    /** One JSON object on one line: Jackson escapes CR, LF and every other control character in values. */
    private static void logLine(AuditRecord r, String error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", r.time());
        line.put("operator", r.operator());
        line.put("request", r.requestId());
        line.put("action", r.action());
        line.put("target", r.target());
        if (r.clientId() != null) {
            line.put("clientId", r.clientId());
        }
        if (r.source() != null) {
            line.put("source", r.source());
        }
        line.put("result", r.result());
        line.put("instance", r.instance());
        if (error != null) {
            line.put("error", error);
            log.warn("{}", json(line));
            return;
        }
        log.info("{}", json(line));
    }

    private static String json(Map<String, Object> fields) {
        try {
            return RegistrySync.JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            return "{\"error\":\"audit line not serializable\"}";
        }
    }

    /**
     * One page of records, newest first: those of one target (or all, null) dated within [since, until],
     * walking back from the cursor (null: the newest). Forged and unverified records are counted, and
     * shown (flagged {@code genuine: false}) only when asked. Blocks.
     */
    AuditPage read(String target, long since, long until, int limit, String cursor, boolean withForged)
        throws Exception {
        int[] forged = {0};
        int[] unsigned = {0};
        List<AuditRecord> records = new ArrayList<>();
        if (cursor != null) {
            try {
                AuditTopic.checkCursor(cursor);
            } catch (IllegalArgumentException badCursor) {
                throw Errors.badParam("cursor", "not a cursor of the audit log: pass the previous page's cursor "
                    + "unchanged");
            }
        }
        long stopBefore = since > 0 ? Math.max(1, since - CLOCK_SKEW_MILLIS) : 0;
        AuditStore.Page page = store.older(cursor, scanPerPage, stopBefore, entry -> {
            AuditRecord r = parse(entry.body());
            if (r == null || r.time() < since || r.time() > until
                || (target != null && !target.equals(r.target()))) {
                return false;
            }
            boolean genuine = mac.verifies(entry.body(), entry.mac());
            if (!genuine) {
                forged[0]++;
                unsigned[0] += entry.mac() == null ? 1 : 0;
                if (!withForged) {
                    return false;
                }
            }
            records.add(r.withGenuine(genuine));
            return true;
        }, limit);
        records.sort(Comparator.comparingLong(AuditRecord::time).reversed());
        return new AuditPage(records, page.cursor(), page.scanned(), forged[0], unsigned[0]);
    }

    private static AuditRecord parse(byte[] bytes) {
        try {
            return RegistrySync.JSON.readValue(bytes, AuditRecord.class);
        } catch (Exception e) {
            return null;
        }
    }
}
