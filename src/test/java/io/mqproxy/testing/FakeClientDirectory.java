package io.mqproxy.testing;

import io.mqproxy.broker.ClientDirectory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The broadcast clients of each consumer in memory, as a test sets them; admitting, touching and forgetting are not faked. */
public final class FakeClientDirectory implements ClientDirectory {
    public final Map<String, List<Entry>> clients = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Admission> admit(String consumer, String topic, String brokerGroup, String clientId,
                                              int maxClients, boolean startAtLatest) {
        throw new UnsupportedOperationException("not faked");
    }

    @Override
    public CompletableFuture<Void> touch(String consumer, String brokerGroup, String clientId) {
        throw new UnsupportedOperationException("not faked");
    }

    @Override
    public CompletableFuture<List<Entry>> entries(String consumer) {
        return CompletableFuture.completedFuture(clients.getOrDefault(consumer, List.of()));
    }

    @Override
    public CompletableFuture<Void> forget(String consumer, String brokerGroup) {
        throw new UnsupportedOperationException("not faked");
    }
}
