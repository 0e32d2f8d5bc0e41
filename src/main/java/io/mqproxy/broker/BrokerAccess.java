package io.mqproxy.broker;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.threads.ThreadPools;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's connection to one RocketMQ cluster: its clients, created and closed together. */
public final class BrokerAccess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerAccess.class);
    private static final long CLOSE_WAIT_MILLIS = 8_000;

    /** A lag read that takes longer than this fails for this collection: the next one tries again. */
    private static final long MONITOR_TIMEOUT_MILLIS = 5_000;

    private final ProducerClient producer;
    private final AdminClient admin;
    private final PopClient pop;
    private final RocketMqClientDirectory clients;
    private final RegistryStore registry;
    private final AuditTopic audit;
    private final ProxyFleet fleet;
    private final BrokerHealth health;
    private final RequiredTopics requiredTopics;

    private final TopicReader reader;
    private final GroupAdmin groups;
    private final MessageFinder messages;
    private final LagReader lag;
    private final AlertStateStore alertStates;

    private BrokerAccess(ProducerClient producer, AdminClient admin, PopClient pop, BrokerHealth health,
                         RequiredTopics requiredTopics, TopicReader reader, int fleetReadSeconds, ThreadPools pools) {
        this.reader = reader;
        this.audit = new AuditTopic(producer, reader);
        this.groups = new RocketMqGroupAdmin(admin, producer, reader);
        this.messages = new RocketMqMessageFinder(admin, reader);
        this.fleet = new ProxyFleet(admin, producer.clientApi(), ProducerClient.GROUP, producer.clientId(),
            fleetReadSeconds, pools);
        this.producer = producer;
        this.admin = admin;
        this.pop = pop;
        this.clients = new RocketMqClientDirectory(admin, pools);
        this.registry = new RegistryStore(admin, producer, reader);
        this.health = health;
        this.requiredTopics = requiredTopics;
        this.lag = new LagReader(admin, reader, MONITOR_TIMEOUT_MILLIS);
        this.alertStates = new AlertStateStore(admin);
    }

    /**
     * @param servedTopics the topics that must be writable and readable for the proxy to be ready; read
     *                     at every readiness probe
     * @param pools        where the clients' own threads come from
     */
    public static BrokerAccess connect(String namesrvAddr, ProxyConfig config, Supplier<Set<String>> servedTopics,
                                       ThreadPools pools) {
        // Unique per proxy in the JVM: RocketMQ shares one client instance per name, and tests run several.
        String instance = "mq-proxy-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + System.nanoTime();
        ProxyConfig.Broker b = config.broker();
        // With the embedded broker everything talks over embedded.host, the clients' own name included.
        ClientSecurity security = ClientSecurity.of(b, b.embedded() ? config.embedded().host() : null);
        AdminClient admin = new AdminClient(namesrvAddr, instance + "-admin", b.clusterName(), b.sendTimeoutMillis(),
            security);
        try {
            // Before anything else asks the brokers: wrong keys are a clear error, not an unready proxy. The
            // embedded broker's keys are the proxy's own (embedded.acl): nothing to check.
            if (!b.embedded()) {
                admin.checkCredentials(b);
            }
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        ProducerClient producer = new ProducerClient(namesrvAddr, instance, b.sendTimeoutMillis(),
            config.produce().maxMessageBytes(), security, config.produce().coalesce(),
            config.produce().maxSendsInFlight(), pools);
        var adminApi = admin.admin().getDefaultMQAdminExtImpl().getMqClientInstance();
        // Readiness probes and the proxy's own topics' late creation: name-server calls, on one thread.
        ScheduledExecutorService prober = pools.scheduler("broker-health", 16);
        // The reader shares the admin client's RocketMQ client (same client id). A client of its own, often
        // with no connection open, took up to 3 s to shut down: its event thread waits in a 3 s poll that only
        // a connection closing wakes, and every proxy stop waited for it.
        return new BrokerAccess(producer, admin, new PopClient(producer.clientApi(), pools),
            new BrokerHealth(adminApi.getMQClientAPIImpl(), adminApi.getClientId(), servedTopics, prober),
            new RequiredTopics(admin, producer, prober), new TopicReader(namesrvAddr, instance + "-admin", security),
            b.fleetReadSeconds(), pools);
    }

    /**
     * Does now what the first requests would otherwise pay for: the publish routes of the producers'
     * topics, the consume routes of the consumers' topics, and a connection to every master broker
     * they name (a first send otherwise waits for the name server and a TCP connect, over a second on
     * a loaded machine). Blocks, bounded; what fails here is left for the first request to report.
     */
    public void warmUp(Set<String> producerTopics, Set<String> consumerTopics) {
        long began = System.nanoTime();
        Set<String> masters = ConcurrentHashMap.newKeySet();
        masters.addAll(producer.loadRoutes(producerTopics));
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (String topic : consumerTopics) {
            steps.add(pop.routes().of(topic)
                .thenAccept(targets -> targets.forEach(t -> masters.add(t.addr())))
                .exceptionally(e -> null));
        }
        await(steps, "consume routes");
        List<CompletableFuture<Void>> pings = new ArrayList<>();
        for (String addr : Set.copyOf(masters)) {
            pings.add(BrokerHealth.ping(producer.clientApi(), producer.clientId(), addr).thenAccept(ok -> {
                if (!ok) {
                    log.warn("broker {} did not answer at start-up", addr);
                }
            }));
        }
        await(pings, "broker connections");
        Set<String> topics = new java.util.HashSet<>(producerTopics);
        topics.addAll(consumerTopics);
        log.info("routes of {} topics and connections to {} brokers ready in {} ms", topics.size(), masters.size(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    private static void await(List<CompletableFuture<Void>> steps, String what) {
        try {
            CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .get(BrokerHealth.PROBE_TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("start-up: {} not all ready: {}", what, e.toString());
        }
    }

    public ProducerClient producer() {
        return producer;
    }

    public PopClient pop() {
        return pop;
    }

    public ClientDirectory clients() {
        return clients;
    }

    public MessageFinder messages() {
        return messages;
    }

    public GroupAdmin groups() {
        return groups;
    }

    public FleetMembers fleet() {
        return fleet;
    }

    public AuditStore audit() {
        return audit;
    }

    public RegistryStore registry() {
        return registry;
    }

    public AdminClient admin() {
        return admin;
    }

    /** Whether a topic's brokers take SQL92 filters (their enablePropertyFilter). */
    public PropertyFilterSupport propertyFilters() {
        return new RocketMqPropertyFilters(admin);
    }

    public BrokerHealth health() {
        return health;
    }

    /** The topics the proxy itself needs, created at start-up or, failing that, once the cluster answers. */
    public RequiredTopics requiredTopics() {
        return requiredTopics;
    }

    public LagReader lag() {
        return lag;
    }

    public AlertStateStore alertStates() {
        return alertStates;
    }

    /** Each RocketMQ client's shutdown unregisters from every broker and stops its threads: both at once. */
    @Override
    public void close() {
        requiredTopics.close();
        health.close();
        fleet.close();
        reader.close();
        clients.close();
        pop.close();
        Thread producerClose = ThreadPools.thread("close-producer", false, producer::close);
        producerClose.start();
        admin.close();
        try {
            producerClose.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
