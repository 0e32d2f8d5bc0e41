package io.mqproxy.broker;

import io.mqproxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.function.Supplier;

/** The proxy's connection to one RocketMQ cluster: its clients, created and closed together. */
public final class BrokerAccess implements AutoCloseable {
    private static final long CLOSE_WAIT_MILLIS = 8_000;

    private final ProducerClient producer;
    private final AdminClient admin;
    private final PopClient pop;
    private final ClientDirectory clients;
    private final BrokerHealth health;

    private BrokerAccess(ProducerClient producer, AdminClient admin, PopClient pop, BrokerHealth health) {
        this.producer = producer;
        this.admin = admin;
        this.pop = pop;
        this.clients = new ClientDirectory(admin);
        this.health = health;
    }

    /**
     * @param servedTopics the topics that must be writable and readable for the proxy to be ready; read
     *                     at every readiness probe
     */
    public static BrokerAccess connect(String namesrvAddr, ProxyConfig config, Supplier<Set<String>> servedTopics) {
        // Unique per proxy in the JVM: RocketMQ shares one client instance per name, and tests run several.
        String instance = "mq-proxy-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + System.nanoTime();
        ProxyConfig.Broker b = config.broker();
        AdminClient admin = new AdminClient(namesrvAddr, instance + "-admin", b.clusterName(), b.sendTimeoutMillis());
        ProducerClient producer = new ProducerClient(namesrvAddr, instance, b.sendTimeoutMillis(),
            config.produce().maxMessageBytes());
        var adminApi = admin.admin().getDefaultMQAdminExtImpl().getMqClientInstance();
        return new BrokerAccess(producer, admin, new PopClient(producer.clientApi()),
            new BrokerHealth(adminApi.getMQClientAPIImpl(), adminApi.getClientId(), servedTopics));
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

    public AdminClient admin() {
        return admin;
    }

    public BrokerHealth health() {
        return health;
    }

    /** Each RocketMQ client's shutdown unregisters from every broker and stops its threads: both at once. */
    @Override
    public void close() {
        health.close();
        clients.close();
        pop.close();
        Thread producerClose = new Thread(producer::close, "mqproxy-close-producer");
        producerClose.start();
        admin.close();
        try {
            producerClose.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
