package io.mqproxy.broker.embedded;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.broker.BrokerController;

/**
 * The brokers running in this JVM, by the address the name server lists them under. The proxy reads
 * what a broker keeps only in its memory (the number of POP messages handed out and not acked) from
 * those; a broker elsewhere does not expose it remotely. A JVM-wide fact, so a JVM-wide table: the
 * proxy that started a broker and the proxies a test points at it see the same one.
 */
public final class InProcessBrokers {
    private static final Map<String, BrokerController> BY_ADDR = new ConcurrentHashMap<>();

    private InProcessBrokers() {
    }

    static void started(BrokerController broker) {
        BY_ADDR.put(broker.getBrokerAddr(), broker);
    }

    static void stopped(BrokerController broker) {
        BY_ADDR.remove(broker.getBrokerAddr(), broker);
    }

    /** Whether the broker at this address runs in this JVM. */
    public static boolean here(String brokerAddr) {
        return BY_ADDR.containsKey(brokerAddr);
    }

    /**
     * Messages of {@code topic} the broker handed out to {@code group} by POP on that queue and has
     * not had acked (nor yet put back for redelivery), or -1 when the broker is not in this JVM.
     */
    public static long popInflight(String brokerAddr, String topic, String group, int queueId) {
        BrokerController broker = BY_ADDR.get(brokerAddr);
        if (broker == null || broker.getPopInflightMessageCounter() == null) {
            return -1;
        }
        return broker.getPopInflightMessageCounter().getGroupPopInFlightMessageNum(topic, group, queueId);
    }
}
