package io.mqproxy.broker;

import io.mqproxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;

/** The proxy's connection to one RocketMQ cluster: its clients, created and closed together. */
public final class BrokerAccess implements AutoCloseable {
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
    private final MessageFinder messages;

    private BrokerAccess(ProducerClient producer, AdminClient admin, PopClient pop, BrokerHealth health,
                         TopicReader reader) {
        this.reader = reader;
        this.audit = new AuditTopic(producer, reader);
        this.groups = new GroupAdmin(admin, producer, reader);
        this.messages = new MessageFinder(admin, reader);
        this.fleet = new ProxyFleet(admin, producer.clientApi(), ProducerClient.GROUP);
        this.producer = producer;
        this.admin = admin;
        this.pop = pop;
        this.clients = new ClientDirectory(admin);
        this.registry = new RegistryStore(admin);
        this.health = health;
    }

    public static BrokerAccess connect(String namesrvAddr, ProxyConfig config) {
        // Unique per proxy in the JVM: RocketMQ shares one client instance per name, and tests run several.
        String instance = "mq-proxy-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + System.nanoTime();
        ProxyConfig.Broker b = config.broker();
        ClientSecurity security = ClientSecurity.of(b);
        AdminClient admin = new AdminClient(namesrvAddr, instance + "-admin", b.clusterName(), b.sendTimeoutMillis(),
            security);
        try {
            // Before anything else asks the brokers: wrong keys are a clear error, not an unready proxy.
            admin.checkCredentials(b);
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        ProducerClient producer = new ProducerClient(namesrvAddr, instance, b.sendTimeoutMillis(),
            config.produce().maxMessageBytes(), security);
        return new BrokerAccess(producer, admin, new PopClient(producer.clientApi()), new BrokerHealth(admin),
            new TopicReader(namesrvAddr, instance + "-reader", security));
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
