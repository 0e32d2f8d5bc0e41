package io.mqproxy.app;

import io.mqproxy.broker.AuditTopic;
import io.mqproxy.broker.BrokerAccess;
import io.mqproxy.broker.RocketMqRuntime;
import io.mqproxy.broker.embedded.EmbeddedBroker;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.control.ControlService;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.control.RegistrySync;
import io.mqproxy.registry.Registry;
import io.mqproxy.consume.RequestIdCodec;
import io.mqproxy.http.HttpServers;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.produce.ProduceService;
import io.mqproxy.push.PushMetrics;
import io.mqproxy.push.PushService;
import io.mqproxy.push.StreamService;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start and stop order: embedded broker (if any), broker clients, topics, services, HTTP servers;
 * stopping runs the same list backwards, so requests stop before the clients they need.
 */
public final class ProxyApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyApp.class);
    private static final long HTTP_DRAIN_SECONDS = 10;
    /** How often an instance reads the operators' changes: a change holds on every instance within this. */
    private static final long REGISTRY_SYNC_MILLIS = 1_000;

    private final ProxyConfig config;
    private final EmbeddedBroker embedded;
    private final BrokerAccess broker;
    private final ProxyMetrics metrics;
    private final Vertx vertx;
    private HttpServers servers;
    private ProduceService produce;
    private ConsumeService consume;
    private ControlService control;
    private RegistrySync registrySync;
    private PushService push;
    private StreamService streams;

    private ProxyApp(ProxyConfig config, EmbeddedBroker embedded, BrokerAccess broker, ProxyMetrics metrics,
                     Vertx vertx) {
        this.config = config;
        this.embedded = embedded;
        this.broker = broker;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    /** Starts the proxy, with its own embedded broker when {@code broker.namesrvAddr} is empty. */
    public static ProxyApp start(ProxyConfig config) {
        if (config.broker().embedded()) {
            RocketMqRuntime.prepare(Path.of(config.embedded().dataDir(), "logs"));
            log.info("mode: embedded broker (no broker.namesrvAddr set); data in {}",
                Path.of(config.embedded().dataDir()).toAbsolutePath());
            EmbeddedBroker embedded = EmbeddedBroker.start(config.embedded(), config.broker().clusterName());
            try {
                return start(config, embedded.namesrvAddr(), embedded);
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
        }
        RocketMqRuntime.prepare(Path.of("logs"));
        log.info("mode: proxy for the cluster at {}", config.broker().namesrvAddr());
        return start(config, config.broker().namesrvAddr(), null);
    }

    /** Starts a proxy on a running cluster; {@code embedded} (nullable) is closed with it. */
    public static ProxyApp start(ProxyConfig config, String namesrvAddr, EmbeddedBroker embedded) {
        ProxyMetrics metrics = new ProxyMetrics();
        BrokerAccess broker = BrokerAccess.connect(namesrvAddr, config);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        ProxyApp app = new ProxyApp(config, embedded, broker, metrics, vertx);
        try {
            if (embedded != null) {
                app.createConfiguredTopics();
            }
            app.ensureAuditTopic();
            Registry registry = new Registry(config);
            app.registrySync = new RegistrySync(registry, broker.registry(), REGISTRY_SYNC_MILLIS);
            ProduceService produce = new ProduceService(registry,
                broker.producer(), metrics, config.produce(), config.broker().sendTimeoutMillis() + 1_000L);
            app.produce = produce;
            ConsumeService consume = new ConsumeService(registry, broker.pop(), broker.clients(), new RequestIdCodec(RequestIdSecret.resolve(config)),
                metrics, config.consume(), broker.fleet()::size);
            app.consume = consume;
            app.control = new ControlService(registry, app.registrySync, broker,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getName(), config.broker().defaultQueues(),
                config.admin().messageBodyPreviewBytes());
            PushMetrics pushMetrics = new PushMetrics(metrics.registry());
            app.streams = new StreamService(consume, config.stream(), pushMetrics);
            app.push = new PushService(registry, consume, config.push(), pushMetrics, broker.fleet()::size);
            app.push.start();
            app.servers = new HttpServers(vertx, config, metrics, broker.health()::reachable);
            app.servers
                .start(produce, consume, app.streams, app.control,
                    new OperatorCredentials(OperatorToken.operators(config)))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            app.closeClients();
            throw new IllegalStateException("start-up failed: " + rootMessage(e), e);
        }
        if (!broker.health().probeNow()) {
            log.warn("the broker does not answer yet: /ready says 503 until it does");
        }
        log.info("MQ-Proxy ready: produce on {}:{}, consume on {}:{}, admin on {}:{}",
            config.http().host(), config.http().producePort(), config.http().host(), config.http().consumePort(),
            config.admin().host(), config.admin().port());
        return app;
    }

    private void createConfiguredTopics() {
        Set<String> topics = new LinkedHashSet<>();
        config.producers().forEach(p -> topics.add(p.topic()));
        config.consumers().forEach(c -> topics.add(c.topic()));
        topics.forEach(t -> broker.admin().ensureTopic(t, config.broker().defaultQueues()));
    }

    /** The control plane's audit log lives in a topic; against a locked-down cluster an operator creates it. */
    private void ensureAuditTopic() {
        try {
            broker.admin().ensureTopic(AuditTopic.TOPIC, 1);
            broker.producer().knowTopic(AuditTopic.TOPIC);
        } catch (RuntimeException e) {
            log.warn("audit topic {} missing and not created ({}): create it with one queue, or control-plane "
                + "changes cannot be recorded", AuditTopic.TOPIC, e.getMessage());
        }
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** Stops accepting, lets requests in flight finish (bounded), then closes clients and broker. */
    @Override
    public void close() {
        log.info("MQ-Proxy stopping");
        closeClients();
        if (embedded != null) {
            embedded.close();
        }
        log.info("MQ-Proxy stopped");
    }

    private void closeClients() {
        if (consume != null) {
            consume.stopWaiting();
        }
        // Pushes and streams settle or give back what they hold while the broker clients are still open.
        if (push != null) {
            push.close();
        }
        if (streams != null) {
            streams.close();
        }
        if (servers != null) {
            servers.drain(TimeUnit.SECONDS.toMillis(HTTP_DRAIN_SECONDS));
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(HTTP_DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP servers did not stop within {} s: {}", HTTP_DRAIN_SECONDS, e.toString());
        }
        // Servers are closed: no new requests. Let those in flight finish before their clients go.
        if (produce != null) {
            produce.close();
        }
        if (consume != null) {
            consume.close();
        }
        if (control != null) {
            control.close();
        }
        if (registrySync != null) {
            registrySync.close();
        }
        broker.close();
        metrics.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
