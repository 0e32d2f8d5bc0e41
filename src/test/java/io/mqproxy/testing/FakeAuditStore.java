package io.mqproxy.testing;

import io.mqproxy.broker.AuditStore;
import io.mqproxy.broker.SendReceipt;
import io.mqproxy.control.AuditRecord;
import io.mqproxy.registry.RegistrySync;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The audit log's store in memory: records kept in the order appended, stamped with the test's clock, read
 * back newest first in one page (no cursor: a test's log is small).
 */
public final class FakeAuditStore implements AuditStore {
    private final List<Entry> entries = new ArrayList<>();
    private final Clock clock;

    public FakeAuditStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized CompletableFuture<SendReceipt> append(String key, byte[] record, String mac) {
        entries.add(new Entry(record.clone(), mac, clock.millis()));
        return CompletableFuture.completedFuture(new SendReceipt("SEND_OK", "audit-" + entries.size(), null,
            new SendReceipt.QueueRef("MQPROXY_AUDIT", "fake", 0), entries.size() - 1, null, false));
    }

    @Override
    public synchronized Page older(String cursor, int scan, long stopBefore, Predicate<Entry> wanted, int max) {
        List<Entry> found = new ArrayList<>();
        int scanned = 0;
        for (int i = entries.size() - 1; i >= 0 && scanned < scan && found.size() < max; i--) {
            Entry e = entries.get(i);
            if (stopBefore > 0 && e.storeTimestamp() < stopBefore) {
                break;
            }
            scanned++;
            if (wanted.test(e)) {
                found.add(e);
            }
        }
        return new Page(found, null, scanned);
    }

    /** Every record stored, oldest first, as the audit log wrote it. */
    public synchronized List<AuditRecord> records() {
        List<AuditRecord> out = new ArrayList<>();
        for (Entry e : entries) {
            try {
                out.add(RegistrySync.JSON.readValue(e.body(), AuditRecord.class));
            } catch (java.io.IOException notARecord) {
                throw new IllegalStateException("not an audit record: " + new String(e.body()), notARecord);
            }
        }
        return out;
    }
}
