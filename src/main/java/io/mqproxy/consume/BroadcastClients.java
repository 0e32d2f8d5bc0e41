package io.mqproxy.consume;

import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.LogSafe;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import io.mqproxy.error.Errors;
import java.time.Clock;
import io.mqproxy.threads.ThreadPools;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of broadcast clientIds: admitted on first poll (bounded per group, starting where
 * the group says), their activity recorded in the broker-side directory at most a few times per
 * time-to-live, and forgotten with their progress once idle past it. Every instance sweeps; the
 * sweep is idempotent.
 */
final class BroadcastClients implements AutoCloseable, RegistryListener {
    private static final Logger log = LoggerFactory.getLogger(BroadcastClients.class);
    private static final long MAX_TOUCH_INTERVAL_MILLIS = 30_000;
    private static final int MAX_CACHED = 100_000;

    private final ClientDirectory directory;
    /** When this instance last recorded each client's activity; bounded, least recently used goes. */
    private final Map<String, Long> touched = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_CACHED;
        }
    };
    /** One periodic sweep per broadcast group whose clientIds expire. */
    private final ScheduledExecutorService sweeper;

    /** A sweep per broadcast group whose clientIds expire; it follows the group's changes and removal. */
    private final Map<String, ScheduledFuture<?>> sweeps = new ConcurrentHashMap<>();
    private final Registry registry;
    /** What decides when a client's activity is recorded again and when an idle one is forgotten. */
    private final Clock clock;

    BroadcastClients(ClientDirectory directory, Registry registry, Clock clock, ThreadPools pools) {
        this.directory = directory;
        this.sweeper = pools.scheduler("broadcast-sweeper", 100_000);
        this.registry = registry;
        this.clock = clock;
        registry.consumers().forEach(g -> consumerChanged(null, g));
        registry.addListener(this);
    }

    @Override
    public void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
        long was = interval(before);
        long now = interval(after);
        if (was == now) {
            return;
        }
        String name = before != null ? before.name() : after.name();
        ScheduledFuture<?> old = now == 0 ? sweeps.remove(name) : sweeps.put(name,
            sweeper.scheduleWithFixedDelay(() -> registry.consumer(name).ifPresent(this::sweep), now, now,
                TimeUnit.MILLISECONDS));
        if (old != null) {
            old.cancel(false);
        }
    }

    /** How often a group's idle clientIds are looked for; 0 when they never expire. */
    private static long interval(ConsumerGroup g) {
        return g == null || !g.broadcast() || g.settings().clientTtlSeconds() <= 0 ? 0
            : Math.max(1_000, g.settings().clientTtlSeconds() * 1000L / 2);
    }

    /** Completes when the client may poll; fails with a 400 naming clientId when the group is full. */
    CompletableFuture<Void> admit(ConsumerGroup group, String brokerGroup, String clientId) {
        long now = clock.millis();
        Long last;
        synchronized (touched) {
            last = touched.get(brokerGroup);
        }
        if (last != null) {
            if (now - last > touchInterval(group)) {
                remember(brokerGroup, now);
                directory.touch(group.name(), brokerGroup, clientId).exceptionally(e -> {
                    log.warn("activity of clientId '{}' of {} not recorded: {}", LogSafe.of(clientId), group.name(),
                        LogSafe.of(e.getMessage()));
                    return null;
                });
            }
            return CompletableFuture.completedFuture(null);
        }
        ProxyConfig.GroupSettings s = group.settings();
        return directory.admit(group.name(), group.topic(), brokerGroup, clientId, s.maxClientIds(),
                s.broadcastStart() == ProxyConfig.StartPosition.LATEST)
            .thenAccept(admission -> {
                if (admission == ClientDirectory.Admission.FULL) {
                    throw Errors.badParam("clientId", "consumer '" + group.name() + "' already has "
                        + s.maxClientIds() + " clientIds, its limit"
                        + (s.clientTtlSeconds() > 0 ? "; idle ones are forgotten after "
                        + s.clientTtlSeconds() + " s" : ""));
                }
                if (admission == ClientDirectory.Admission.NEW) {
                    log.info("broadcast consumer {}: new clientId '{}' (group {})", group.name(), LogSafe.of(clientId),
                        brokerGroup);
                }
                remember(brokerGroup, now);
            });
    }

    private static long touchInterval(ConsumerGroup group) {
        int ttl = group.settings().clientTtlSeconds();
        return ttl > 0 ? Math.min(MAX_TOUCH_INTERVAL_MILLIS, ttl * 1000L / 4) : MAX_TOUCH_INTERVAL_MILLIS;
    }

    private void remember(String brokerGroup, long now) {
        synchronized (touched) {
            touched.put(brokerGroup, now);
        }
    }

    private void sweep(ConsumerGroup group) {
        int ttl = group.settings().clientTtlSeconds();
        long cutoff = clock.millis() - ttl * 1000L;
        try {
            for (ClientDirectory.Entry e : directory.entries(group.name()).join()) {
                if (e.lastActiveMillis() < cutoff) {
                    synchronized (touched) {
                        touched.remove(e.brokerGroup());
                    }
                    directory.forget(group.name(), e.brokerGroup()).join();
                    log.info("broadcast consumer {}: forgot clientId '{}', idle over {} s", group.name(),
                        LogSafe.of(e.clientId()), ttl);
                }
            }
        } catch (RuntimeException e) {
            log.warn("broadcast consumer {}: sweep of idle clientIds failed: {}", group.name(),
                LogSafe.of(e.getMessage()));
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
