package io.mqproxy.broker;

import io.mqproxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;

/** The proxy's connection to one RocketMQ cluster: its clients, created and closed together. */
public final class BrokerAccess implements AutoCloseable {
    /** A lag read that takes longer than this fails for this collection: the next one tries again. */
    private static final long MONITOR_TIMEOUT_MILLIS = 5_000;

    private final ProducerClient producer;
    private final AdminClient admin;
    private final PopClient pop;
    private final ClientDirectory clients;
    private final RegistryStore registry;
    private final AuditTopic audit;
    private final ProxyFleet fleet;
    private final BrokerHealth health;

    private final TopicReader reader;
    private final GroupAdmin groups;
    private final LagReader lag;
    private final AlertStateStore alertStates;

    private BrokerAccess(ProducerClient producer, AdminClient admin, PopClient pop, BrokerHealth health,
                         TopicReader reader) {
        this.reader = reader;
        this.audit = new AuditTopic(producer, reader);
        this.groups = new GroupAdmin(admin, producer, reader);
        this.fleet = new ProxyFleet(admin, producer.clientApi(), ProducerClient.GROUP, producer.clientId());
        this.producer = producer;
        this.admin = admin;
        this.pop = pop;
        this.clients = new ClientDirectory(admin);
        this.registry = new RegistryStore(admin);
        this.health = health;
        this.lag = new LagReader(admin, MONITOR_TIMEOUT_MILLIS);
        this.alertStates = new AlertStateStore(admin);
    }

    public static BrokerAccess connect(String namesrvAddr, ProxyConfig config) {
        // Unique per proxy in the JVM: RocketMQ shares one client instance per name, and tests run several.
        String instance = "mq-proxy-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + System.nanoTime();
        ProxyConfig.Broker b = config.broker();
        AdminClient admin = new AdminClient(namesrvAddr, instance + "-admin", b.clusterName(), b.sendTimeoutMillis());
        ProducerClient producer = new ProducerClient(namesrvAddr, instance, b.sendTimeoutMillis(),
            config.produce().maxMessageBytes());
        return new BrokerAccess(producer, admin, new PopClient(producer.clientApi()), new BrokerHealth(admin),
            new TopicReader(namesrvAddr, instance + "-reader"));
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

    public GroupAdmin groups() {
        return groups;
    }

    public ProxyFleet fleet() {
        return fleet;
    }

    public AuditTopic audit() {
        return audit;
    }

    public RegistryStore registry() {
        return registry;
    }

    public AdminClient admin() {
        return admin;
    }

    public BrokerHealth health() {
        return health;
    }

    public LagReader lag() {
        return lag;
    }

    public AlertStateStore alertStates() {
        return alertStates;
    }

    @Override
    public void close() {
        health.close();
        fleet.close();
        reader.close();
        clients.close();
        pop.close();
        producer.close();
        admin.close();
    }
}
