package io.mqproxy.control;

import io.mqproxy.broker.BrokerFailure;
import io.mqproxy.broker.FleetMembers;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.error.ProxyError;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.security.AuditMac;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.testing.FakeAuditStore;
import io.mqproxy.testing.FakeClientDirectory;
import io.mqproxy.testing.FakeGroupAdmin;
import io.mqproxy.testing.FakeMessageFinder;
import io.mqproxy.testing.FakeRegistryStore;
import io.mqproxy.testing.FakeTopicAdmin;
import io.mqproxy.testing.MutableClock;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.threads.ThreadPools;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The control commands over fakes of the broker (issue 23): the registry from a configuration file, synced
 * through an in-memory store, the audit in memory, the broker's topics, groups and clients faked and
 * recording what they were sent, time on a {@link MutableClock}. No broker, no network.
 *
 * <p>The file declares topic {@value #TOPIC} (it exists) with producer {@value #PRODUCER} and groups
 * {@value #HELD} (queue-held), {@value #POP} (concurrent) and {@value #BROADCAST} (broadcast, concurrent).
 */
final class ControlFixture implements AutoCloseable {
    static final String TOPIC = "orders";
    static final String PRODUCER = "orders-p";
    static final String HELD = "held-g";
    static final String POP = "pop-g";
    static final String BROADCAST = "bc-g";
    static final long START = 1_767_000_000_000L;
    static final Actor ALICE = new Actor("alice", "req-1");

    static final ProxyConfig CONFIG = TestProxy.builder()
        .namesrvAddr("127.0.0.1:9876")
        .producer(PRODUCER, TOPIC)
        .consumer(HELD, TOPIC, Map.of())
        .consumer(POP, TOPIC, Map.of("pop", true))
        .consumer(BROADCAST, TOPIC, Map.of("mode", "broadcast", "pop", true))
        .config();

    final MutableClock clock = MutableClock.at(START);
    final FakeTopicAdmin topics = new FakeTopicAdmin(TOPIC);
    final FakeGroupAdmin groups = new FakeGroupAdmin();
    final FakeClientDirectory clients = new FakeClientDirectory();
    final FakeAuditStore audit = new FakeAuditStore(clock);
    final FakeRegistryStore store = new FakeRegistryStore();
    /** What the topic's brokers say about SQL92 filters; every one filters by property unless a test says otherwise. */
    volatile PropertyFilterSupport.Answer filters = new PropertyFilterSupport.Answer(List.of(), List.of());

    final Registry registry = new Registry(CONFIG);
    final ThreadPools pools = ThreadPools.unmetered();
    final RegistrySync sync;
    final AuditedCalls calls;
    final GroupCommands groupCommands;
    final RedriveCommands redrives;
    final OperationCommands operations;

    ControlFixture() {
        byte[] secret = "a test secret of thirty-two bytes".getBytes(StandardCharsets.UTF_8);
        // Polls once an hour: the tests see what a command's own write applied, nothing else.
        sync = new RegistrySync(registry, store, TimeUnit.HOURS.toMillis(1), new SecretSeal(secret, null), pools);
        calls = new AuditedCalls(audit, new AuditMac(secret, null), "instance-1", pools, clock);
        FleetMembers fleet = new FleetMembers() {
            @Override
            public String self() {
                return "127.0.0.1@instance-1";
            }

            @Override
            public Set<String> instances() {
                return Set.of(self());
            }

            @Override
            public long readMillis() {
                return 1_000;
            }
        };
        groupCommands = new GroupCommands(registry, sync, topics, groups, clients, fleet, topic -> filters, 8, calls);
        redrives = new RedriveCommands(registry, groups, new ProxyMetrics(), pools, clock, calls);
        operations = new OperationCommands(registry, topics, groups, clients, new FakeMessageFinder(), 64,
            new ProxyMetrics(), redrives, calls);
    }

    /** A broker that does not answer. */
    static BrokerFailure unreachable() {
        return BrokerFailure.unreachable("connect to 10.0.0.1:10911 failed", null);
    }

    static <T> T done(CompletableFuture<T> call) throws Exception {
        return call.get(10, TimeUnit.SECONDS);
    }

    /** The error value a call failed with (it must fail). */
    static ProxyError failure(CompletableFuture<?> call) throws Exception {
        try {
            call.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProxyError error) {
                return error;
            }
            throw new AssertionError("failed with a " + e.getCause() + ", not an error value", e.getCause());
        }
        throw new AssertionError("succeeded; a failure was expected");
    }

    List<AuditRecord> records() {
        return audit.records();
    }

    @Override
    public void close() {
        redrives.close();
        calls.close();
        sync.close();
    }
}
