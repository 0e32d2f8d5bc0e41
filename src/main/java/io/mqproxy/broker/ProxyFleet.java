package io.mqproxy.broker;

import io.mqproxy.threads.ThreadPools;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.remoting.protocol.body.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy instances alive now, as the brokers see them: every instance's producer client is in
 * one producer group and heartbeats to each broker, and a broker drops a client whose connection
 * closes or goes quiet. Nothing is written for this; it is read every {@code broker.fleetReadSeconds} on its
 * own thread.
 */
public final class ProxyFleet implements FleetMembers, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyFleet.class);
    private static final long TIMEOUT_MILLIS = 3_000;

    private final AdminClient cluster;
    private final MQClientAPIImpl api;
    private final String producerGroup;
    private final String self;
    private final long readSeconds;
    private final ScheduledExecutorService refresher;
    private volatile Set<String> instances = Set.of();

    /**
     * @param self        this instance's client id, as the brokers list it
     * @param readSeconds how often the brokers are asked
     */
    ProxyFleet(AdminClient cluster, MQClientAPIImpl api, String producerGroup, String self, long readSeconds,
               ThreadPools pools) {
        this.cluster = cluster;
        this.api = api;
        this.producerGroup = producerGroup;
        this.self = self;
        this.readSeconds = readSeconds;
        this.refresher = pools.scheduler("fleet", 16);
        refresher.scheduleWithFixedDelay(this::refresh, 0, readSeconds, TimeUnit.SECONDS);
    }

    @Override
    public Set<String> instances() {
        return instances;
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public long readMillis() {
        return readSeconds * 1000;
    }

    private void refresh() {
        try {
            Set<String> seen = new HashSet<>();
            boolean answered = false;
            List<String> masters = cluster.masterAddrs();
            for (String addr : masters) {
                try {
                    for (Connection c : api.getProducerConnectionList(addr, producerGroup, TIMEOUT_MILLIS)
                        .getConnectionSet()) {
                        seen.add(c.getClientId());
                    }
                    answered = true;
                } catch (Exception brokerDown) {
                    // another broker may still see them all
                }
            }
            // No broker answered (busy, or out of reach): that says nothing of the fleet, keep the last count.
            if (answered) {
                instances = Set.copyOf(seen);
            }
        } catch (Exception e) {
            log.debug("proxy instances not counted this time: {}", e.toString());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
