package io.mqproxy.monitor;

import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.LagReader;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collection of every group's lag: the reads shared by all groups once (topic list, routes,
 * topic offsets, and from {@code monitor.brokerWideFrom} groups every group's offsets in one call per
 * broker), then what is left per group (per broadcast clientId) and broker, a few at a time on a pool
 * of its own. A collection is bounded in time: reads not started by its deadline are skipped,
 * and their groups keep their last state until the next one.
 */
final class LagCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LagCollector.class);

    /** What one collection found: the groups read whole, those that were not, and its cost. */
    record Collection(List<GroupLag> lags, Set<String> failed, long brokerCalls, long nanos, int reads) {
    }

    private record Read(ConsumerGroup group, String clientId, String brokerGroup) {
    }

    private final LagReader reader;
    private final ClientDirectory directory;
    private final int parallel;
    private final int brokerWideFrom;
    private final ThreadPoolExecutor pool;

    LagCollector(LagReader reader, ClientDirectory directory, int parallel, int brokerWideFrom, ThreadPools pools) {
        this.reader = reader;
        this.directory = directory;
        this.parallel = parallel;
        this.brokerWideFrom = brokerWideFrom;
        // monitor.brokerCalls sizes it: the monitor's own setting, older than the threads: section.
        this.pool = pools.fixed("monitor-read", parallel, parallel);
    }

    /** Reads every group's lag; blocks, at most about {@code budgetMillis}. */
    Collection collect(List<ConsumerGroup> groups, long budgetMillis) throws Exception {
        long began = System.nanoTime();
        long deadline = began + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
        Set<String> failed = ConcurrentHashMap.newKeySet();
        List<Read> reads = new ArrayList<>();
        long directoryCalls = 0;
        for (ConsumerGroup g : groups) {
            if (!g.broadcast()) {
                reads.add(new Read(g, null, g.name()));
                continue;
            }
            directoryCalls++;
            try {
                for (ClientDirectory.Entry e : directory.entries(g.name()).get(budgetMillis, TimeUnit.MILLISECONDS)) {
                    reads.add(new Read(g, e.clientId(), BrokerGroups.forClient(g.name(), e.clientId())));
                }
            } catch (Exception e) {
                failed.add(g.name());
                log.debug("clientIds of {} not read: {}", g.name(), e.toString());
            }
        }
        LagReader.Pass pass = reader.begin(reads.size(), brokerWideFrom);
        Map<Read, ClientLag> found = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(parallel);
        for (int i = 0; i < parallel; i++) {
            pool.execute(() -> {
                try {
                    for (int n = next.getAndIncrement(); n < reads.size(); n = next.getAndIncrement()) {
                        Read r = reads.get(n);
                        if (System.nanoTime() > deadline) {
                            failed.add(r.group().name());
                            continue;
                        }
                        try {
                            LagReader.Position p = pass.read(r.group().topic(), r.brokerGroup(), r.group().filter(),
                                deadline);
                            found.put(r, ClientLag.of(r.clientId(), p, r.group().pop(), System.currentTimeMillis()));
                        } catch (Exception e) {
                            failed.add(r.group().name());
                            log.debug("lag of {} not read: {}", r.brokerGroup(), e.toString());
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        pass.end();
        Map<String, List<ClientLag>> byGroup = new LinkedHashMap<>();
        for (Read r : reads) {
            ClientLag c = found.get(r);
            if (c != null) {
                byGroup.computeIfAbsent(r.group().name(), g -> new ArrayList<>()).add(c);
            }
        }
        List<GroupLag> lags = new ArrayList<>();
        for (ConsumerGroup g : groups) {
            if (failed.contains(g.name())) {
                continue;
            }
            // A broadcast group with no clientId yet has nothing to lag behind: it is shown with zeros.
            lags.add(new GroupLag(g.name(), g.topic(), g.broadcast(), byGroup.getOrDefault(g.name(), List.of())));
        }
        return new Collection(lags, Set.copyOf(failed), pass.calls() + directoryCalls, System.nanoTime() - began,
            reads.size());
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
