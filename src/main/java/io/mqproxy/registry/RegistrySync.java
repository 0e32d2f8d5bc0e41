package io.mqproxy.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqproxy.broker.RegistryStore;
import io.mqproxy.error.Errors;
import io.mqproxy.log.LogSafe;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.threads.ThreadPools;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link Registry} equal to the run-time entries kept broker-side: read once at
 * start (so a restarted instance comes up with every change), then polled on its own thread. A write
 * is read back at once, so the instance that made a change applies it before answering; the others
 * apply it within one poll interval. Every entry is changed by compare-and-set ({@link SharedEntries}):
 * groups and producers, and the other kinds kept in the namespace ({@link Section}: alert rules,
 * credentials); two operators changing one entry at once both get their change, or a clear refusal.
 */
public final class RegistrySync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);
    static final String CONSUMER = "consumer.";
    static final String PRODUCER = "producer.";
    /** The key prefixes of the other kinds of entries ({@link Section}); every prefix is known from the start. */
    public static final String ALERT_RULES = "alert.";
    public static final String CREDENTIALS = "credential.";
    /** A section's entry removed: kept as this, so that the removal is a compare-and-set like any change. */
    static final String REMOVED = "removed";
    public static final ObjectMapper JSON = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();

    private final Registry registry;
    /** Seals the secrets of consumer entries' webhooks before they reach the store ({@link PushSecrets}). */
    private final SecretSeal seal;
    private final ScheduledExecutorService poller;
    private final SharedEntries shared;
    private String failing;
    /** Other kinds of run-time entries kept in the same namespace, each under its own key prefix. */
    private final List<Section> sections = new CopyOnWriteArrayList<>();
    private Map<String, String> lastRead = Map.of();

    public RegistrySync(Registry registry, RegistryStore store, long intervalMillis, SecretSeal seal,
                        ThreadPools pools) {
        this(registry, new BrokerSide(store), intervalMillis, seal, pools);
    }

    /** Over any store and log: the broker's ({@link RegistryStore}), or a test's in memory. */
    public RegistrySync(Registry registry, SharedEntries.Store store, long intervalMillis, SecretSeal seal,
                        ThreadPools pools) {
        this.registry = registry;
        this.poller = pools.scheduler("registry-sync", 16);
        this.seal = seal;
        // Every kind is versioned from the first read on: a claim logged before its section is added counts.
        this.shared = new SharedEntries(store, Set.of(CONSUMER, PRODUCER, ALERT_RULES, CREDENTIALS), this::applyAll);
        try {
            refresh();
        } catch (Exception e) {
            log.warn("run-time registry not read at start ({}): serving the configuration file's entries until it is",
                e.toString());
        }
        poller.scheduleWithFixedDelay(this::poll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            refresh();
            if (failing != null) {
                log.info("run-time registry readable again");
                failing = null;
            }
        } catch (Exception e) {
            if (!Objects.equals(failing, e.toString())) {
                failing = e.toString();
                log.warn("run-time registry not readable, keeping the last one read: {}", failing);
            }
        }
    }

    /** Reads the entries and the writes logged since, and applies them if anything moved. Blocks. */
    synchronized void refresh() throws Exception {
        shared.refresh();
    }

    /** Every entry read (groups' and producers' as the registry log decided them), applied to registry and sections. */
    private void applyAll(Map<String, String> entries) {
        registry.apply(parse(entries));
        lastRead = entries;
        sections.forEach(section -> applySection(section, entries));
    }

    /** The new value of an entry, computed from the registry as it is now (again after a lost race). */
    public interface EntryChange<E> {
        E next() throws Exception;
    }

    /**
     * Changes a group's entry by compare-and-set ({@link SharedEntries}): {@code change} computes the
     * entry from the registry as applied now, and again when another write came first. Returns once the
     * change is applied here. Blocks.
     */
    public synchronized void changeGroup(String name, EntryChange<RuntimeEntries.ConsumerEntry> change) throws Exception {
        compareAndSet(CONSUMER + name, "consumer group '" + name + "'",
            () -> JSON.writeValueAsString(PushSecrets.sealed(JSON.valueToTree(change.next()), seal)));
    }

    /** Changes a producer's entry by compare-and-set, as {@link #changeGroup}. Blocks. */
    public synchronized void changeProducer(String name, EntryChange<RuntimeEntries.ProducerEntry> change) throws Exception {
        compareAndSet(PRODUCER + name, "producer '" + name + "'", () -> JSON.writeValueAsString(change.next()));
    }

    private void compareAndSet(String key, String what, java.util.concurrent.Callable<String> value)
        throws Exception {
        try {
            shared.change(key, value);
        } catch (SharedEntries.Conflict lost) {
            throw Errors.conflict(what + " was changed by other operators at the same moment, "
                + SharedEntries.MAX_ATTEMPTS + " times in a row, and this change was not made: retry it");
        }
    }

    // ---- other run-time entries in the same namespace (alert rules, issue 9)

    /**
     * Run-time entries of another kind than groups and producers, kept in the same namespace under their
     * own key prefix so that they share its revision, its polling and its durability; their owner
     * parses and applies them.
     */
    public interface Section {
        /** The key prefix of this kind's entries, e.g. {@code "alert."}. */
        String prefix();

        /** Every entry of this kind now (keys without the prefix), after each change read; never partial. */
        void apply(Map<String, String> entries);
    }

    /** Adds a kind of entries and applies those read last (none when the store was never readable). */
    public synchronized void addSection(Section section) {
        if (!section.prefix().equals(ALERT_RULES) && !section.prefix().equals(CREDENTIALS)) {
            throw new IllegalArgumentException("not a kind of entry the registry versions: " + section.prefix());
        }
        sections.add(section);
        applySection(section, lastRead);
    }

    /**
     * Changes one entry of a section's kind by compare-and-set, as {@link #changeGroup}: {@code change}
     * computes the entry (any object, written as JSON; null removes it) from the section as applied now,
     * and again when another write came first; it may throw to refuse. Returns once the change is applied
     * here. Blocks.
     */
    public synchronized void changeEntry(Section section, String key, EntryChange<Object> change) throws Exception {
        compareAndSet(section.prefix() + key, "entry '" + section.prefix() + key + "'", () -> {
            Object next = change.next();
            return JSON.writeValueAsString(next == null ? Map.of(REMOVED, true) : next);
        });
    }

    private static void applySection(Section section, Map<String, String> entries) {
        Map<String, String> mine = new HashMap<>();
        entries.forEach((key, value) -> {
            if (key.startsWith(section.prefix()) && !removed(value)) {
                mine.put(key.substring(section.prefix().length()), value);
            }
        });
        try {
            section.apply(Map.copyOf(mine));
        } catch (RuntimeException e) {
            log.error("run-time entries under '{}' not applied", section.prefix(), e);
        }
    }

    /** A section's entry that {@link #changeEntry} removed (entries of a kind never carry this field). */
    private static boolean removed(String value) {
        try {
            return JSON.readTree(value).path(REMOVED).asBoolean(false);
        } catch (Exception unreadable) {
            return false; // the section's parser says what is wrong with it
        }
    }

    /** Entries that do not parse (written by a newer version, or damaged) are left out, and said so. */
    private RuntimeEntries parse(Map<String, String> raw) {
        Map<String, RuntimeEntries.ConsumerEntry> consumers = new HashMap<>();
        Map<String, RuntimeEntries.ProducerEntry> producers = new HashMap<>();
        raw.forEach((key, value) -> {
            try {
                if (key.startsWith(CONSUMER)) {
                    RuntimeEntries.ConsumerEntry e = JSON.treeToValue(PushSecrets.opened(JSON.readTree(value), seal),
                        RuntimeEntries.ConsumerEntry.class);
                    consumers.put(e.name(), e);
                } else if (key.startsWith(PRODUCER)) {
                    RuntimeEntries.ProducerEntry e = JSON.readValue(value, RuntimeEntries.ProducerEntry.class);
                    producers.put(e.name(), e);
                }
            } catch (Exception e) {
                log.warn("run-time registry entry {} ignored: {}", LogSafe.of(key), LogSafe.of(e.getMessage()));
            }
        });
        return new RuntimeEntries(consumers, producers);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    /** The broker's registry store and log, as {@link SharedEntries} reads and writes them. */
    private record BrokerSide(RegistryStore store) implements SharedEntries.Store {
        @Override
        public String revision() throws Exception {
            return store.revision();
        }

        @Override
        public Map<String, String> entries() throws Exception {
            return store.entries();
        }

        @Override
        public void put(String key, String value, String revision) throws Exception {
            store.put(key, value, revision);
        }

        @Override
        public long append(byte[] record) throws Exception {
            return store.append(record);
        }

        @Override
        public List<SharedEntries.Logged> read(long from, long through) throws Exception {
            return store.readLog(from, through).stream()
                .map(l -> new SharedEntries.Logged(l.offset(), l.body())).toList();
        }
    }
}
