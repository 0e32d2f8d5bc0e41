package io.mqproxy.broker;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Where the control plane's audit records are kept, signed, in one order every instance shares, and read
 * back page by page, newest first. {@link AuditTopic} keeps them in a broker topic.
 */
public interface AuditStore {
    /** One stored record: its bytes as written, its MAC (null when it has none), when it was stored. */
    record Entry(byte[] body, String mac, long storeTimestamp) {
    }

    /**
     * What a page looked at: the entries kept, newest first, and the cursor to the rest (null when there is
     * no more).
     */
    record Page(List<Entry> entries, String cursor, int scanned) {
    }

    /** Appends a record with its MAC, keyed (for look-up by key) by what it is about. */
    CompletableFuture<SendReceipt> append(String key, byte[] record, String mac);

    /**
     * Reads backward from the cursor (null: the newest record), looking at no more than {@code scan} records
     * and keeping up to {@code max} that {@code wanted} accepts, down to the first stored before
     * {@code stopBefore} (epoch ms, 0 for none). Blocks.
     */
    Page older(String cursor, int scan, long stopBefore, Predicate<Entry> wanted, int max) throws Exception;
}
