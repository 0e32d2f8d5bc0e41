package io.mqproxy.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqproxy.broker.RegistryStore;
import io.mqproxy.log.LogSafe;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RuntimeEntries;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.threads.ThreadPools;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link Registry} equal to the run-time entries kept broker-side: read once at
 * start (so a restarted instance comes up with every change), then polled on its own thread. A write
 * is read back at once, so the instance that made a change applies it before answering; the others
 * apply it within one poll interval.
 */
public final class RegistrySync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);
    static final String CONSUMER = "consumer.";
    static final String PRODUCER = "producer.";
    static final ObjectMapper JSON = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();

    private final Registry registry;
    private final RegistryStore store;
    /** Seals the secrets of consumer entries' webhooks before they reach the store ({@link PushSecrets}). */
    private final SecretSeal seal;
    private final ScheduledExecutorService poller;
    private String revision;
    private String failing;
    /** Other kinds of run-time entries kept in the same namespace, each under its own key prefix. */
    private final List<Section> sections = new CopyOnWriteArrayList<>();
    private Map<String, String> lastRead = Map.of();

    public RegistrySync(Registry registry, RegistryStore store, long intervalMillis, SecretSeal seal,
                        ThreadPools pools) {
        this.registry = registry;
        this.poller = pools.scheduler("registry-sync", 16);
        this.store = store;
        this.seal = seal;
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

    /** Reads the entries if their revision moved, and applies them. Blocks. */
    synchronized void refresh() throws Exception {
        String now = store.revision();
        if (now == null || now.equals(revision)) {
            return;
        }
        Map<String, String> entries = store.entries();
        registry.apply(parse(entries));
        lastRead = entries;
        sections.forEach(section -> applySection(section, entries));
        revision = now;
    }

    /** Writes a group's entry, then reads the registry back. Blocks. */
    synchronized void write(RuntimeEntries.ConsumerEntry entry) throws Exception {
        store.put(CONSUMER + entry.name(),
            JSON.writeValueAsString(PushSecrets.sealed(JSON.valueToTree(entry), seal)), newRevision());
        refresh();
    }

    /** Writes a producer's entry, then reads the registry back. Blocks. */
    synchronized void write(RuntimeEntries.ProducerEntry entry) throws Exception {
        store.put(PRODUCER + entry.name(), JSON.writeValueAsString(entry), newRevision());
        refresh();
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
        sections.add(section);
        applySection(section, lastRead);
    }

    /** Writes one entry of a section's kind, then reads everything back. Blocks. */
    public synchronized void writeEntry(Section section, String key, String json) throws Exception {
        store.put(section.prefix() + key, json, newRevision());
        refresh();
    }

    /** Removes one entry of a section's kind, then reads everything back. Blocks. */
    public synchronized void removeEntry(Section section, String key) throws Exception {
        store.remove(section.prefix() + key, newRevision());
        refresh();
    }

    private static void applySection(Section section, Map<String, String> entries) {
        Map<String, String> mine = new HashMap<>();
        entries.forEach((key, value) -> {
            if (key.startsWith(section.prefix())) {
                mine.put(key.substring(section.prefix().length()), value);
            }
        });
        try {
            section.apply(Map.copyOf(mine));
        } catch (RuntimeException e) {
            log.error("run-time entries under '{}' not applied", section.prefix(), e);
        }
    }

    private static String newRevision() {
        return System.currentTimeMillis() + "-" + UUID.randomUUID();
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
}
