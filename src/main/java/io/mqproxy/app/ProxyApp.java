package io.mqproxy.app;

import io.mqproxy.broker.AuditTopic;
import io.mqproxy.broker.RegistryStore;
import io.mqproxy.broker.RequiredTopics;
import io.mqproxy.broker.BrokerAccess;
import io.mqproxy.broker.RocketMqRuntime;
import io.mqproxy.broker.SendReceipt;
import io.mqproxy.broker.embedded.EmbeddedBroker;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.PollResult;
import io.mqproxy.control.ControlService;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.message.MessageText;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Producer;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import io.mqproxy.security.Credential;
import io.mqproxy.security.CredentialBook;
import io.mqproxy.security.AuditMac;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.security.DataAuthenticator;
import io.mqproxy.consume.RequestIdCodec;
import io.mqproxy.http.HttpServers;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.monitor.AlertRuleBook;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.produce.ProduceService;
import io.mqproxy.push.PushMetrics;
import io.mqproxy.push.PushService;
import io.mqproxy.push.StreamService;
import io.mqproxy.threads.ThreadPools;
import io.mqproxy.tracing.OtelTracing;
import io.mqproxy.tracing.Tracing;
import io.mqproxy.webhook.WebhookClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start and stop order: embedded broker (if any), broker clients, topics, services, HTTP servers,
 * warm-up; stopping runs the same list backwards ({@link Components}), so requests stop before the clients
 * they need.
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
    private final Components components = new Components();
    private HttpServers servers;
    private ControlService control;
    private volatile boolean warmedUp;

    private ProxyApp(ProxyConfig config, EmbeddedBroker embedded, BrokerAccess broker, ProxyMetrics metrics,
                     Vertx vertx) {
        this.config = config;
        this.embedded = embedded;
        this.broker = broker;
        this.metrics = metrics;
        components.add("metrics", null, null, metrics::close);
        components.add("broker clients", null, null, broker::close);
        // Closed with the HTTP servers (below) when they were started; here when start-up failed before.
        components.add("vert.x", null, null, () -> closeVertx(vertx));
    }

    /** Starts the proxy, with its own embedded broker when {@code broker.namesrvAddr} is empty. */
    public static ProxyApp start(ProxyConfig config) {
        if (config.broker().embedded()) {
            RocketMqRuntime.prepare(Path.of(config.embedded().dataDir(), "logs"));
            log.info("mode: embedded broker (no broker.namesrvAddr set); data in {}",
                Path.of(config.embedded().dataDir()).toAbsolutePath());
            EmbeddedBroker.User user = config.embedded().acl() ? BrokerAdminKeys.resolve(config.embedded()) : null;
            EmbeddedBroker embedded = EmbeddedBroker.start(config.embedded(), config.broker().clusterName(), user);
            // Every RocketMQ client of the proxy signs its requests as the embedded broker's user.
            ProxyConfig signed = user == null ? config
                : config.withBroker(config.broker().signedAs(user.accessKey(), user.secretKey()));
            try {
                return start(signed, embedded.namesrvAddr(), embedded);
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
        return start(config, namesrvAddr, embedded, Clock.systemUTC());
    }

    /**
     * As above, with the one clock every time rule of the proxy reads (timeouts, windows, TTLs, rates, alert
     * durations); a test may run an instance ahead of time to find a deadline passed without waiting for it.
     */
    public static ProxyApp start(ProxyConfig config, String namesrvAddr, EmbeddedBroker embedded, Clock clock) {
        ProxyMetrics metrics = new ProxyMetrics();
        ThreadPools pools = new ThreadPools(config.threads(), metrics.registry());
        Set<String> producerTopics = new LinkedHashSet<>();
        config.producers().forEach(p -> producerTopics.add(p.topic()));
        Set<String> consumerTopics = new LinkedHashSet<>();
        config.consumers().forEach(c -> consumerTopics.add(c.topic()));
        Set<String> served = new LinkedHashSet<>(producerTopics);
        served.addAll(consumerTopics);
        Set<String> servedTopics = Set.copyOf(served);
        // Readiness follows the registry once there is one: groups and producers registered at run time count too.
        AtomicReference<Registry> registered = new AtomicReference<>();
        BrokerAccess broker = BrokerAccess.connect(namesrvAddr, config, () -> registered.get() == null ? servedTopics
            : registered.get().topics(), pools);
        // The one Vert.x: HTTP servers and webhook clients; push.eventLoops more loops for the webhooks.
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
            .setEventLoopPoolSize(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE + config.push().eventLoops()));
        ProxyApp app = new ProxyApp(config, embedded, broker, metrics, vertx);
        WebhookClient webhooks = new WebhookClient(vertx);
        // Closed after the servers and pushers that end spans: what is queued is exported (bounded).
        Tracing tracing = OtelTracing.start(config.tracing(), metrics.registry(), pools);
        app.components.add("tracing", null, null, tracing::close);
        try {
            if (embedded != null) {
                servedTopics.forEach(t -> broker.admin().ensureTopic(t, config.broker().defaultQueues()));
            } else {
                PropertyFilterCheck.atStartUp(config, broker.propertyFilters());
            }
            app.ensureAuditTopic();
            app.ensureRegistryLog();
            Registry registry = new Registry(config);
            registered.set(registry);
            exportAtZero(registry, metrics);
            SecretSeal seal = new SecretSeal(RequestIdSecret.resolve(config), RequestIdSecret.previous(config));
            RegistrySync registrySync = new RegistrySync(registry, broker.registry(), REGISTRY_SYNC_MILLIS, seal,
                pools);
            app.components.add("registry sync", null, null, registrySync::close);
            ProduceService produce = new ProduceService(registry,
                broker.producer(), metrics, config.produce(), config.broker().sendTimeoutMillis() + 1_000L, clock);
            app.components.add("produce", null, null, produce::close);
            metrics.gauge("mqproxy.produce.coalesced.messages", "single sends that went to the broker in one batch "
                + "with others, since start (produce.coalesce)", broker.producer()::coalescedSends);
            metrics.gauge("mqproxy.produce.coalesced.batches", "broker batch requests that coalesced single sends "
                + "went in, since start (produce.coalesce)", broker.producer()::coalescedBatches);
            ConsumeService consume = new ConsumeService(registry, broker.pop(), broker.clients(), new RequestIdCodec(RequestIdSecret.resolve(config),
                RequestIdSecret.previous(config)),
                metrics, config.consume(), broker.fleet()::size, clock, pools);
            app.components.add("consume", null, null, consume::close);
            CredentialBook credentialBook = new CredentialBook(fileCredentials(config));
            Monitoring monitoring = Monitoring.start(config, registry, broker, metrics,
                new AlertRuleBook(config.monitor()), clock, pools, webhooks);
            app.components.add("monitoring", null, null, monitoring::close);
            app.control = new ControlService(registry, registrySync, broker,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getName(), config.broker().defaultQueues(),
                config.admin().messageBodyPreviewBytes(), monitoring, metrics, credentialBook,
                seal, new AuditMac(RequestIdSecret.resolve(config), RequestIdSecret.previous(config)), pools, clock);
            app.components.add("control", null, null, app.control::close);
            PushMetrics pushMetrics = new PushMetrics(metrics.registry());
            // Streams and pushes settle or give back what they hold while the broker clients are still open.
            StreamService streams = new StreamService(consume, config.stream(), pushMetrics, clock, tracing);
            app.components.add("event streams", null, streams::close, null);
            PushService push = new PushService(registry, consume, pushMetrics, broker.fleet()::size, vertx, webhooks,
                clock, tracing);
            app.components.add("push", push::start, push::close, null);
            HttpServers servers = new HttpServers(vertx, config, metrics, app::notReady, dataCredentials(config,
                credentialBook, metrics, clock), clock, tracing);
            app.servers = servers;
            // Once requests stop, those in flight finish (bounded) before the services and clients they need close.
            OperatorCredentials operators = new OperatorCredentials(OperatorToken.operators(config));
            app.components.add("HTTP servers", () -> servers.start(produce, consume, streams, app.control, operators)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS), null, () -> {
                    servers.drain(TimeUnit.SECONDS.toMillis(HTTP_DRAIN_SECONDS));
                    closeVertx(vertx);
                });
            // Added last to run first: pushers, streams and the HTTP drain would each wait for a waiting long poll.
            app.components.add("waiting long polls", null, consume::stopWaiting, null);
            app.components.start();
            app.warmUp(producerTopics, consumerTopics);
        } catch (Exception e) {
            app.components.stop();
            throw new IllegalStateException("start-up failed: " + rootMessage(e), e);
        }
        if (!broker.health().probeNow()) {
            log.warn("not ready: {}; /ready says 503 until this is fixed", broker.health().notServed());
        }
        log.info("MQ-Proxy ready: produce on {}:{}, consume on {}:{}, admin on {}:{}",
            config.http().host(), config.http().producePort(), config.http().host(), config.http().consumePort(),
            config.admin().host(), config.admin().port());
        return app;
    }

    /**
     * What the first requests after "ready" would otherwise wait for (over a second on a loaded
     * machine, past a 1 s client's read time-out): routes, broker connections, and the first use of
     * the HTTP and JSON paths. {@code /ready} says 503 until it is done.
     */
    private void warmUp(Set<String> producerTopics, Set<String> consumerTopics) {
        long began = System.nanoTime();
        broker.warmUp(producerTopics, consumerTopics);
        String failed = servers.warmUp(List.of(
            new SendReceipt("SEND_OK", "0", "0", new SendReceipt.QueueRef("t", "b", 0), 0, "DefaultRegion", false),
            new PollResult(PollResult.FOUND, "r", List.of(new DeliveredMessage("0",
                MessageText.of(new byte[] {'m'}), null, 0, "k", "t",
                Map.of("p", "v"), 1)), 1, List.of(), 0, "OK", 300)));
        if (failed != null) {
            log.warn("HTTP warm-up incomplete: {}", failed);
        }
        warmedUp = true;
        log.info("warm-up done in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /**
     * Every producer's and group's counters exist from the first scrape (at zero), not from their first
     * event: the dashboard's panels and the alert rules' absent() see them from the start. Producers and
     * groups added at run time get theirs when they are added.
     */
    private static void exportAtZero(Registry registry, ProxyMetrics metrics) {
        registry.addListener(new RegistryListener() {
            @Override
            public void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
                if (before == null && after != null) {
                    metrics.consumerKnown(after.name());
                }
            }

            @Override
            public void producerChanged(Producer before, Producer after) {
                if (before == null && after != null) {
                    metrics.producerKnown(after.name());
                }
            }
        });
        registry.producers().forEach(p -> metrics.producerKnown(p.name()));
        registry.consumers().forEach(c -> metrics.consumerKnown(c.name()));
    }

    private static List<Credential> fileCredentials(ProxyConfig config) {
        return config.security().credentials().stream()
            .map(c -> new Credential(c.id(), c.secret(), Set.copyOf(c.producers()), Set.copyOf(c.consumers()), 0,
                false))
            .toList();
    }

    /** Who may use the data plane (when credentials are required): the file's and the operators' credentials. */
    private static DataAuthenticator dataCredentials(ProxyConfig config, CredentialBook book, ProxyMetrics metrics,
                                                     Clock clock) {
        ProxyConfig.Security s = config.security();
        DataAuthenticator authenticator = new DataAuthenticator(s.requireCredentials(), book::all,
            java.time.Duration.ofSeconds(s.signatureWindowSeconds()), s.maxRememberedSignatures(), clock);
        metrics.counter("mqproxy.signature.memory.full", "signed requests refused (503) because the memory of "
            + "signatures was full (security.maxRememberedSignatures)", authenticator::refusedForFullMemory);
        metrics.gauge("mqproxy.signature.memory.entries", "signatures remembered to refuse replays, of "
            + "security.maxRememberedSignatures", authenticator::rememberedSignatures);
        return authenticator;
    }

    /** Why {@code /ready} says 503, or null. */
    private String notReady() {
        return warmedUp ? broker.health().notServed() : "starting";
    }

    /**
     * The control plane's audit log lives in a topic; against a locked-down cluster an operator creates it.
     * Created later when the cluster cannot be asked now ({@link RequiredTopics}).
     */
    private void ensureAuditTopic() {
        broker.requiredTopics().require(new RequiredTopics.Topic(AuditTopic.TOPIC, 1, "audit topic",
            "control-plane changes cannot be recorded", "control-plane changes are recorded"));
    }

    /**
     * Registry writes are compare-and-set through a one-queue log topic; against a locked-down cluster an
     * operator creates it. Created later when the cluster cannot be asked now ({@link RequiredTopics}).
     */
    private void ensureRegistryLog() {
        broker.requiredTopics().require(new RequiredTopics.Topic(RegistryStore.LOG_TOPIC, 1, "registry log topic",
            "groups and producers cannot be changed at run time", "groups and producers can be changed at run time"));
    }

    /** The control service (tests reach its package-private settings through it). */
    public ControlService control() {
        return control;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The HTTP servers (the OpenAPI contract test reads the routes they serve). */
    public HttpServers servers() {
        return servers;
    }

    /**
     * Stops accepting, answers waiting long polls at once and lets other requests in flight finish
     * (bounded), then closes the clients and the embedded broker: a few seconds in all, within the
     * grace period container platforms give (often 30 s).
     */
    @Override
    public void close() {
        long began = System.nanoTime();
        log.info("MQ-Proxy stopping");
        components.stop();
        long clients = System.nanoTime();
        if (embedded != null) {
            embedded.close();
        }
        log.info("MQ-Proxy stopped in {} ms (requests and clients {} ms)",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), TimeUnit.NANOSECONDS.toMillis(clients - began));
    }

    /** Closing twice is harmless: the second waits for the first. */
    private static void closeVertx(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(HTTP_DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP servers did not stop within {} s: {}", HTTP_DRAIN_SECONDS, e.toString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
