package io.mqproxy.control;

import io.mqproxy.broker.AuditTopic;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every change made through the control plane in the broker (the audit topic), where every
 * instance writes and reads it; each record is also logged on {@code io.mqproxy.audit}.
 */
final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("io.mqproxy.audit");
    /** How far back a read looks: the newest records are what an operator asks for. */
    private static final int SCAN = 10_000;

    private final AuditTopic topic;
    private final String instance;

    AuditLog(AuditTopic topic, String instance) {
        this.topic = topic;
        this.instance = instance;
    }

    /** Records a change; blocks until the broker has it, so an answered change is an audited one. */
    void record(Actor actor, String action, String target, String clientId, Object before, Object after,
                String result) {
        AuditRecord record = new AuditRecord(System.currentTimeMillis(), actor.operator(), actor.requestId(), action,
            target, clientId, before, after, result, instance);
        log.info("operator={} request={} action={} target={}{} result={}", actor.operator(), actor.requestId(),
            action, target, clientId == null ? "" : " clientId=" + clientId, result);
        try {
            topic.append(target, RegistrySync.JSON.writeValueAsBytes(record)).join();
        } catch (Exception e) {
            log.error("audit record not stored in {} (the change itself was {}): {}", AuditTopic.TOPIC, result,
                e.toString());
        }
    }

    /** The newest records, for one target or all (null), newest first. Blocks. */
    List<AuditRecord> newest(String target, int limit) throws Exception {
        return topic.newest(SCAN, bytes -> true, SCAN).stream()
            .map(AuditLog::parse)
            .filter(Objects::nonNull)
            .filter(r -> target == null || target.equals(r.target()))
            .sorted(Comparator.comparingLong(AuditRecord::time).reversed())
            .limit(limit)
            .toList();
    }

    private static AuditRecord parse(byte[] bytes) {
        try {
            return RegistrySync.JSON.readValue(bytes, AuditRecord.class);
        } catch (Exception e) {
            return null;
        }
    }
}
