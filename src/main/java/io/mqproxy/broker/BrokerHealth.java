package io.mqproxy.broker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Probes the cluster every second on its own thread, so readiness answers without waiting. */
public final class BrokerHealth implements AutoCloseable {
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqproxy-broker-health");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean reachable;

    BrokerHealth(AdminClient admin) {
        reachable = admin.brokersAnswer();
        prober.scheduleWithFixedDelay(() -> reachable = admin.brokersAnswer(), 1, 1, TimeUnit.SECONDS);
    }

    /** Whether the last probe found every master broker answering. */
    public boolean reachable() {
        return reachable;
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
