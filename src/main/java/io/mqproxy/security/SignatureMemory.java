package io.mqproxy.security;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signatures of signed requests this instance accepted, each kept exactly as long as its request's
 * timestamp is inside the window: past that, the timestamp check refuses a replay by itself. Bounded,
 * and a full memory refuses the new request: it never forgets a signature early (a forgotten signature
 * would let its replay through).
 *
 * <p>Entries are grouped by the second their window ends, so expired ones go a whole second at a time,
 * on the calls that follow; the count is exact, so the bound is too. One lock: a few map operations per
 * signed request.
 */
final class SignatureMemory {
    private static final Logger log = LoggerFactory.getLogger(SignatureMemory.class);
    /** A full memory is said at most this often. */
    private static final long FULL_LOG_INTERVAL_MILLIS = 60_000;

    /** What became of a signature. */
    enum Outcome { REMEMBERED, REPLAYED, FULL }

    private final int capacity;
    private final long windowMillis;
    private final Set<String> seen = new HashSet<>();
    /** Second (epoch millis, rounded up) at which the entries' windows end -> the entries. */
    private final TreeMap<Long, List<String>> byWindowEnd = new TreeMap<>();
    private long refusedFull;
    private long refusedSinceLog;
    private long lastFullLogMillis = Long.MIN_VALUE;

    SignatureMemory(int capacity, long windowMillis) {
        this.capacity = capacity;
        this.windowMillis = windowMillis;
    }

    /**
     * Remembers {@code signature} of a request signed at {@code timestampMillis}, already checked to be
     * within the window of {@code nowMillis}.
     */
    synchronized Outcome remember(String signature, long timestampMillis, long nowMillis) {
        forgetExpired(nowMillis);
        if (seen.contains(signature)) {
            return Outcome.REPLAYED;
        }
        if (seen.size() >= capacity) {
            refusedFull++;
            refusedSinceLog++;
            if (lastFullLogMillis == Long.MIN_VALUE || nowMillis - lastFullLogMillis >= FULL_LOG_INTERVAL_MILLIS) {
                lastFullLogMillis = nowMillis;
                log.warn("signature memory full ({} signatures, security.maxRememberedSignatures): {} signed "
                    + "request(s) refused with 503 since the last report; room again in {} s",
                    capacity, refusedSinceLog, retryAfterSeconds(nowMillis));
                refusedSinceLog = 0;
            }
            return Outcome.FULL;
        }
        seen.add(signature);
        byWindowEnd.computeIfAbsent(windowEnd(timestampMillis), k -> new ArrayList<>()).add(signature);
        return Outcome.REMEMBERED;
    }

    /** When the oldest entry goes: how long a client refused for a full memory should wait, at least 1 s. */
    synchronized long retryAfterSeconds(long nowMillis) {
        Map.Entry<Long, List<String>> first = byWindowEnd.firstEntry();
        long wait = first == null ? 0 : first.getKey() - nowMillis;
        return Math.max(1, (wait + 999) / 1000);
    }

    synchronized int size(long nowMillis) {
        forgetExpired(nowMillis);
        return seen.size();
    }

    /** Signed requests refused because the memory was full, since start. */
    synchronized long refusedFull() {
        return refusedFull;
    }

    /** A request signed at {@code t} passes the timestamp check until t + window: kept until then, rounded up. */
    private long windowEnd(long timestampMillis) {
        return Math.floorDiv(timestampMillis + windowMillis + 999, 1000) * 1000;
    }

    private void forgetExpired(long nowMillis) {
        Map.Entry<Long, List<String>> first;
        while ((first = byWindowEnd.firstEntry()) != null && first.getKey() < nowMillis) {
            byWindowEnd.pollFirstEntry();
            // One by one: Set.removeAll(List) may instead scan the list for each member of the set.
            for (String signature : first.getValue()) {
                seen.remove(signature);
            }
        }
    }
}
