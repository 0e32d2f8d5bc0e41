package io.mqproxy.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The run-time entries every instance shares, read and written with compare-and-set on a revision
 * per entry, so that two writers (two instances, or two threads of one) changing one entry at once
 * cannot drop one of the changes.
 *
 * <p>Two things are kept broker-side ({@link Store}): a <em>store</em> of entries by key, where the
 * last write wins and which is kept for good, and a <em>log</em> that every instance appends to and
 * reads in one order (one queue of a topic: the broker gives each record the queue's next offset).
 * The store cannot compare-and-set; the log's order is what makes it possible:
 * <ol>
 *   <li>A writer reads the entry at revision N, computes its new value, and appends a <em>claim</em>
 *   (key, base N, value, a random id) to the log.</li>
 *   <li>Every reader applies the claims in log order to the entries it knows: a claim whose base is the
 *   entry's revision now wins it (revision N + 1, that value); any later claim on base N is stale and
 *   changes nothing. The rule depends on the log's order alone, so every reader comes to the same
 *   entries, and to the same winner of each revision.</li>
 *   <li>The writer reads the log through its own claim. If its claim won, the change is in force
 *   (every instance will read the same), and it copies the entry with its revision and claim offset
 *   into the store. If another claim on base N came first, it lost: it takes the entry as that claim
 *   left it, applies its change again and claims base N + 1; after {@link #MAX_ATTEMPTS} lost races it
 *   gives up ({@link Conflict}).</li>
 * </ol>
 * Readers take the store's copy of an entry when it is at a higher revision than the one they know,
 * then apply the claims logged after that copy's claim. A copy may arrive late, or be overwritten by a
 * late copy of an older revision: the log still decides, and a reader that finds the store behind the
 * log for two reads in a row writes the newer copy itself. So the store need only be right in the end,
 * before the broker deletes the log's old records (days: its message retention).
 *
 * <p>An entry without a revision (written before revisions, or never) is at revision 0. Only keys with
 * one of the prefixes given are written this way; others (e.g. alert rules, credentials) are read
 * through unchanged.
 */
public final class SharedEntries {
    /** How many times a write that lost to another one is applied again before it answers a conflict. */
    public static final int MAX_ATTEMPTS = 5;
    /** The fields a store copy carries beside the entry's own (unknown to older readers, who skip them). */
    static final String REVISION = "revision";
    static final String LOG_OFFSET = "logOffset";
    private static final ObjectMapper JSON = JsonMapper.builder()
        .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();

    /** Where the entries are kept broker-side. Its calls block. */
    public interface Store {
        /** A value that moves with every write to the store; null when nothing was ever written. */
        String revision() throws Exception;

        /** Every entry of the store, by key. */
        Map<String, String> entries() throws Exception;

        /** Writes one entry, and moves the revision to {@code revision}. */
        void put(String key, String value, String revision) throws Exception;

        /** Appends a record to the log; answers its offset (the log's order). */
        long append(byte[] record) throws Exception;

        /**
         * The log's records from offset {@code from} on (from the first one kept, when older ones are
         * deleted) to its end, in order; when {@code through} is not negative, at least through that offset.
         */
        List<Logged> read(long from, long through) throws Exception;
    }

    /** A record of the log and its offset. */
    public record Logged(long offset, byte[] record) {
    }

    /** A write that lost {@link #MAX_ATTEMPTS} races in a row for its entry. */
    public static final class Conflict extends Exception {
        public Conflict(String key) {
            super("'" + key + "' was changed by another write at the same time, " + MAX_ATTEMPTS
                + " times in a row");
        }
    }

    /**
     * An entry's value at one revision.
     *
     * @param offset  the log offset of the claim that made it; -1 when none is known (revision 0)
     * @param claimId the id of that claim; null when not read from the log
     */
    record Version(long revision, long offset, String claimId, String value) {
        static final Version NONE = new Version(0, -1, null, null);
    }

    /** What a writer appends: it read the entry at revision {@code base} and wants {@code value}. */
    record Claim(String id, String key, long base, String value) {
    }

    private final Store store;
    private final Set<String> prefixes;
    private final Consumer<Map<String, String>> apply;
    private final Map<String, Version> versions = new HashMap<>();
    /** Entries whose store copy was behind the log at the last read: the copy is rewritten if it still is. */
    private Map<String, Version> behind = Map.of();
    private String storeRevision;
    private Map<String, String> stored = Map.of();
    private long logNext;
    private boolean read;

    /**
     * @param prefixes the keys written by compare-and-set start with one of these
     * @param apply    told every entry (the store's, with the log's claims applied) after each read
     *                 that found something new; it runs under this object's lock, before a write
     *                 computes its value
     */
    public SharedEntries(Store store, Set<String> prefixes, Consumer<Map<String, String>> apply) {
        this.store = store;
        this.prefixes = Set.copyOf(prefixes);
        this.apply = apply;
    }

    /** Reads what the store and the log hold now, and applies it when something moved. Blocks. */
    public synchronized void refresh() throws Exception {
        readThrough(-1);
    }

    /**
     * Changes one entry by compare-and-set: {@code next} computes its new value (JSON) from what was
     * last applied (it may throw to refuse), and is called again after a lost race. Returns once the
     * change is in force on this instance (and decided for every other). Blocks.
     *
     * @throws Conflict when it lost {@link #MAX_ATTEMPTS} races in a row
     */
    public synchronized void change(String key, Callable<String> next) throws Exception {
        if (!versioned(key)) {
            throw new IllegalArgumentException("not an entry written by compare-and-set: " + key);
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            readThrough(-1);
            Version base = versions.getOrDefault(key, Version.NONE);
            String value = next.call();
            String id = UUID.randomUUID().toString();
            long offset = store.append(claim(new Claim(id, key, base.revision(), value)));
            readThrough(offset);
            Version now = versions.get(key);
            if (now != null && id.equals(now.claimId())) {
                store.put(key, copy(now), newStoreRevision());
                return;
            }
        }
        throw new Conflict(key);
    }

    private boolean versioned(String key) {
        return prefixes.stream().anyMatch(key::startsWith);
    }

    /** Reads the store if it moved and the log from where the last read ended (at least through {@code through}). */
    private void readThrough(long through) throws Exception {
        boolean moved = false;
        String now = store.revision();
        if (!read || !Objects.equals(now, storeRevision)) {
            stored = Map.copyOf(store.entries());
            stored.forEach((key, value) -> {
                if (versioned(key)) {
                    offerStored(key, version(value));
                }
            });
            storeRevision = now;
            moved = true;
        }
        for (Logged logged : store.read(logNext, through)) {
            if (logged.offset() < logNext) {
                continue;
            }
            logNext = logged.offset() + 1;
            Claim claim = parse(logged.record());
            if (claim != null && versioned(claim.key())) {
                moved |= applyClaim(logged.offset(), claim);
            }
        }
        if (moved || !read) {
            read = true;
            apply.accept(entries());
        }
        repairStore();
    }

    /** Takes the store's copy when it is newer than the entry known (or is the same one rewritten). */
    private void offerStored(String key, Version copy) {
        Version known = versions.get(key);
        if (known == null || copy.revision() > known.revision()
            || copy.revision() == known.revision() && copy.offset() == known.offset()) {
            versions.put(key, copy);
        }
    }

    /** The log's rule: the first claim on an entry's revision now wins it; any other changes nothing. */
    private boolean applyClaim(long offset, Claim claim) {
        Version known = versions.getOrDefault(claim.key(), Version.NONE);
        if (claim.base() != known.revision() || offset <= known.offset()) {
            return false;
        }
        versions.put(claim.key(), new Version(known.revision() + 1, offset, claim.id(), claim.value()));
        return true;
    }

    /** Every entry: the store's, the versioned ones as the log left them. */
    private Map<String, String> entries() {
        Map<String, String> out = new LinkedHashMap<>();
        stored.forEach((key, value) -> {
            if (!versioned(key)) {
                out.put(key, value);
            }
        });
        versions.forEach((key, v) -> {
            if (v.value() != null) {
                out.put(key, v.value());
            }
        });
        return Map.copyOf(out);
    }

    /** Writes the copies behind the log at the last read that still are (their writer stopped, or was late). */
    private void repairStore() throws Exception {
        Map<String, Version> nowBehind = new HashMap<>();
        versions.forEach((key, v) -> {
            String copy = stored.get(key);
            if (v.value() != null && (copy == null || version(copy).revision() < v.revision())) {
                nowBehind.put(key, v);
            }
        });
        for (Map.Entry<String, Version> e : nowBehind.entrySet()) {
            if (e.getValue().equals(behind.get(e.getKey()))) {
                store.put(e.getKey(), copy(e.getValue()), newStoreRevision());
            }
        }
        behind = nowBehind;
    }

    /** The store's copy of an entry: its value with its revision and claim offset. */
    static String copy(Version v) throws Exception {
        JsonNode tree = JSON.readTree(v.value());
        if (!(tree instanceof ObjectNode entry)) {
            throw new IllegalArgumentException("an entry is a JSON object");
        }
        entry.put(REVISION, v.revision());
        entry.put(LOG_OFFSET, v.offset());
        return JSON.writeValueAsString(entry);
    }

    /** The revision a store copy carries: 0 (and no offset) for one written without. */
    static Version version(String value) {
        try {
            JsonNode tree = JSON.readTree(value);
            return new Version(tree.path(REVISION).asLong(0), tree.path(LOG_OFFSET).asLong(-1), null, value);
        } catch (Exception unreadable) {
            return new Version(0, -1, null, value); // the registry's parser says what is wrong with it
        }
    }

    static byte[] claim(Claim claim) throws Exception {
        return JSON.writeValueAsBytes(claim);
    }

    /** A claim, or null for a record that is none (damaged, or of a newer kind): it wins nothing. */
    static Claim parse(byte[] record) {
        try {
            Claim c = JSON.readValue(new String(record, StandardCharsets.UTF_8), Claim.class);
            return c.id() == null || c.key() == null || c.value() == null ? null : c;
        } catch (Exception unreadable) {
            return null;
        }
    }

    private static String newStoreRevision() {
        return System.currentTimeMillis() + "-" + UUID.randomUUID();
    }
}
