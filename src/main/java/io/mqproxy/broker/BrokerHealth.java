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

    private final AdminClient admin;

    BrokerHealth(AdminClient admin) {
        this.admin = admin;
        probeNow();
        prober.scheduleWithFixedDelay(this::probeNow, 1, 1, TimeUnit.SECONDS);
    }

    /** Probes at once (blocking); start-up calls it so that readiness is current when the proxy says so. */
    public boolean probeNow() {
        reachable = admin.brokersAnswer();
        return reachable;
    }

    /** Whether the last probe found a master broker answering. */
    public boolean reachable() {
        return reachable;
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
