package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The compare-and-set rule of the shared entries over a fake store and log: two instances (two
 * {@link SharedEntries} over one store) whose writes race on one entry both get their change; the
 * log's order alone decides which claim wins a revision; the store's copy may lag or go back, the
 * log overrules it and it is repaired.
 */
class SharedEntriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "consumer.g";

    /** An in-memory store (last write wins) and log (one order), with a hook that runs before an append. */
    static final class FakeStore implements SharedEntries.Store {
        final Map<String, String> kv = new ConcurrentHashMap<>();
        final List<byte[]> log = new ArrayList<>();
        final AtomicInteger revisions = new AtomicInteger();
        volatile Runnable beforeNextAppend;

        @Override
        public String revision() {
            return revisions.get() == 0 ? null : "r" + revisions.get();
        }

        @Override
        public Map<String, String> entries() {
            return Map.copyOf(kv);
        }

        @Override
        public void put(String key, String value, String revision) {
            kv.put(key, value);
            revisions.incrementAndGet();
        }

        @Override
        public long append(byte[] record) {
            Runnable hook = beforeNextAppend;
            beforeNextAppend = null;
            if (hook != null) {
                hook.run();
            }
            synchronized (log) {
                log.add(record);
                return log.size() - 1;
            }
        }

        @Override
        public List<SharedEntries.Logged> read(long from, long through) {
            synchronized (log) {
                List<SharedEntries.Logged> out = new ArrayList<>();
                for (int i = (int) Math.max(0, from); i < log.size(); i++) {
                    out.add(new SharedEntries.Logged(i, log.get(i)));
                }
                return out;
            }
        }
    }

    /** One instance: its shared entries and what it applied last. */
    static final class Instance {
        final AtomicReference<Map<String, String>> applied = new AtomicReference<>(Map.of());
        final SharedEntries entries;

        Instance(FakeStore store) {
            entries = new SharedEntries(store, Set.of("consumer.", "producer."), applied::set);
        }

        /** Sets one field of the entry over what this instance applied last: a read-modify-write. */
        void set(String field, Object value) throws Exception {
            entries.change(KEY, () -> {
                String now = applied.get().get(KEY);
                ObjectNode entry = now == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(now);
                entry.remove(List.of("revision", "logOffset"));
                entry.set(field, JSON.valueToTree(value));
                return JSON.writeValueAsString(entry);
            });
        }

        JsonNode entry() throws Exception {
            return JSON.readTree(applied.get().get(KEY));
        }
    }

    @Test
    void twoInstancesChangingOneEntryAtOnce_bothChangesHold() throws Exception {
        FakeStore store = new FakeStore();
        Instance a = new Instance(store);
        Instance b = new Instance(store);
        // b has read revision 0 and computed its value; before its claim lands, a's whole change goes first.
        store.beforeNextAppend = () -> {
            try {
                a.set("paused", true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        b.set("rateLimit", 5);

        a.entries.refresh();
        for (Instance i : List.of(a, b)) {
            assertThat(i.entry().path("paused").asBoolean()).isTrue();
            assertThat(i.entry().path("rateLimit").asInt()).isEqualTo(5);
        }
        JsonNode copy = JSON.readTree(store.kv.get(KEY));
        assertThat(copy.path("revision").asLong()).isEqualTo(2);
        assertThat(copy.path("paused").asBoolean()).isTrue();
        assertThat(copy.path("rateLimit").asInt()).isEqualTo(5);
        assertThat(store.log).as("a's claim, b's lost claim, b's claim again").hasSize(3);
    }

    @Test
    void theFirstClaimOnARevisionWins_andEveryReaderAgrees() throws Exception {
        FakeStore store = new FakeStore();
        store.append(SharedEntries.claim(new SharedEntries.Claim("x", KEY, 0, "{\"v\":\"first\"}")));
        store.append(SharedEntries.claim(new SharedEntries.Claim("y", KEY, 0, "{\"v\":\"stale\"}")));
        store.append(SharedEntries.claim(new SharedEntries.Claim("z", KEY, 1, "{\"v\":\"second\"}")));
        store.append(SharedEntries.claim(new SharedEntries.Claim("w", KEY, 1, "{\"v\":\"late\"}")));
        store.append("not a claim".getBytes());

        for (int reader = 0; reader < 2; reader++) {
            Instance i = new Instance(store);
            i.entries.refresh();
            assertThat(i.entry().path("v").asText()).isEqualTo("second");
        }
    }

    @Test
    void aWriteThatLosesEveryRace_answersAConflict_afterTheBoundedRetries() throws Exception {
        FakeStore store = new FakeStore();
        Instance a = new Instance(store);
        Instance b = new Instance(store);
        AtomicInteger bAttempts = new AtomicInteger();
        Runnable aGoesFirst = new Runnable() {
            @Override
            public void run() {
                try {
                    a.set("paused", bAttempts.incrementAndGet() % 2 == 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                store.beforeNextAppend = this; // b's next claim loses again
            }
        };
        store.beforeNextAppend = aGoesFirst;

        assertThatThrownBy(() -> b.set("rateLimit", 5)).isInstanceOf(SharedEntries.Conflict.class)
            .hasMessageContaining("5 times in a row");
        assertThat(bAttempts.get()).isEqualTo(SharedEntries.MAX_ATTEMPTS);
        b.entries.refresh();
        assertThat(b.entry().has("rateLimit")).isFalse();
    }

    @Test
    void aStoreCopyThatWentBack_isOverruledByTheLog_andRepairedAfterTwoReads() throws Exception {
        FakeStore store = new FakeStore();
        Instance a = new Instance(store);
        a.set("rateLimit", 1);
        String revisionOne = store.kv.get(KEY);
        a.set("rateLimit", 2);
        store.put(KEY, revisionOne, "late"); // revision 1's copy, written late, over revision 2's

        Instance fresh = new Instance(store);
        fresh.entries.refresh();
        assertThat(fresh.entry().path("rateLimit").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(store.kv.get(KEY)).path("revision").asLong()).as("behind once: left").isEqualTo(1);
        fresh.entries.refresh();
        assertThat(JSON.readTree(store.kv.get(KEY)).path("revision").asLong()).as("behind twice: repaired")
            .isEqualTo(2);
        assertThat(JSON.readTree(store.kv.get(KEY)).path("rateLimit").asInt()).isEqualTo(2);
    }

    @Test
    void anEntryWrittenBeforeRevisions_isRevisionZero_andChangesOverIt() throws Exception {
        FakeStore store = new FakeStore();
        store.put(KEY, "{\"maxPullSize\":3}", "old");
        store.put("alert.g", "{\"backlog\":10}", "old");
        Instance a = new Instance(store);
        a.set("paused", true);

        assertThat(a.entry().path("maxPullSize").asInt()).isEqualTo(3);
        assertThat(a.entry().path("paused").asBoolean()).isTrue();
        assertThat(a.applied.get()).containsEntry("alert.g", "{\"backlog\":10}");
        assertThat(JSON.readTree(store.kv.get(KEY)).path("revision").asLong()).isEqualTo(1);
    }

    @Test
    void aRefusedChange_appendsNothing() throws Exception {
        FakeStore store = new FakeStore();
        SharedEntries entries = new SharedEntries(store, Set.of("consumer."), m -> { });
        assertThatThrownBy(() -> entries.change(KEY, () -> {
            throw new IllegalArgumentException("refused");
        })).hasMessage("refused");
        assertThat(store.log).isEmpty();
        assertThat(store.kv).isEmpty();
    }
}
