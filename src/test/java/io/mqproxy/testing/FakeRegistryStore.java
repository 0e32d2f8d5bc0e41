package io.mqproxy.testing;

import io.mqproxy.registry.SharedEntries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The run-time registry's store and log in memory (what {@code RegistryStore} keeps broker-side), for a
 * {@code RegistrySync} without a broker. {@link #writes} counts the entries written; while {@link #failing}
 * is set every call throws it (a name server that does not answer).
 */
public final class FakeRegistryStore implements SharedEntries.Store {
    public final Map<String, String> kv = new ConcurrentHashMap<>();
    public final AtomicInteger writes = new AtomicInteger();
    public volatile RuntimeException failing;
    private final List<byte[]> log = new ArrayList<>();
    private final AtomicInteger revisions = new AtomicInteger();

    @Override
    public String revision() {
        fail();
        return revisions.get() == 0 ? null : "r" + revisions.get();
    }

    @Override
    public Map<String, String> entries() {
        fail();
        return Map.copyOf(kv);
    }

    @Override
    public void put(String key, String value, String revision) {
        fail();
        kv.put(key, value);
        writes.incrementAndGet();
        revisions.incrementAndGet();
    }

    @Override
    public synchronized long append(byte[] record) {
        fail();
        log.add(record);
        return log.size() - 1;
    }

    @Override
    public synchronized List<SharedEntries.Logged> read(long from, long through) {
        fail();
        List<SharedEntries.Logged> out = new ArrayList<>();
        for (int i = (int) Math.max(0, from); i < log.size(); i++) {
            out.add(new SharedEntries.Logged(i, log.get(i)));
        }
        return out;
    }

    private void fail() {
        RuntimeException e = failing;
        if (e != null) {
            throw e;
        }
    }
}
