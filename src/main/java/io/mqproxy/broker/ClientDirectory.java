package io.mqproxy.broker;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The broadcast clients of each consumer and their last activity, as every proxy instance sees them. Calls
 * return futures and never block the caller. {@link RocketMqClientDirectory} keeps them broker-side.
 */
public interface ClientDirectory {
    /** A known broadcast client: its broker group, the clientId it was derived from, last activity. */
    record Entry(String brokerGroup, String clientId, long lastActiveMillis) {
    }

    enum Admission { KNOWN, NEW, FULL }

    /**
     * Registers a client on its first poll: refused when the consumer has {@code maxClients} already;
     * a new client starting at the latest message gets its offsets set to each queue's end first.
     */
    CompletableFuture<Admission> admit(String consumer, String topic, String brokerGroup, String clientId,
                                       int maxClients, boolean startAtLatest);

    /** Records activity now. */
    CompletableFuture<Void> touch(String consumer, String brokerGroup, String clientId);

    /** The consumer's known clients. */
    CompletableFuture<List<Entry>> entries(String consumer);

    /** Forgets a client: its directory entry, and its group's configuration and offsets on every master. */
    CompletableFuture<Void> forget(String consumer, String brokerGroup);
}
