package io.mqproxy.http;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.console.ConsoleAssets;
import io.mqproxy.console.ConsoleSessions;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.error.Status;
import io.mqproxy.log.LogSafe;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.control.ControlService;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.produce.ProduceService;
import io.mqproxy.security.DataAuthenticator;
import io.mqproxy.push.StreamService;
import io.mqproxy.tracing.Tracing;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's doors: production and consumption ports for applications, the admin port for the
 * operator. Each data port runs one server per event loop so both cores serve requests.
 *
 * <p>Every port holds to the same limits: request bodies within {@code http.maxBodyBytes} each and
 * {@code http.maxBodyBytesInFlight} together, connections closed by {@link ConnectionGuard}'s time-outs,
 * malformed HTTP answered by {@link MalformedHttp}. HTTP/1.x only: the time-outs and the body budget are
 * kept per HTTP/1.1 connection, and no client of the contract needs h2c.
 */
public final class HttpServers {
    private static final Logger log = LoggerFactory.getLogger(HttpServers.class);
    /**
     * How long a request read whole may go unanswered before its connection is closed as stuck: longer than
     * the longest long poll (60 s) waits. The guard keeps it, not Netty's idle handler (a timer and a pipeline
     * handler on every connection).
     */
    private static final int BACKSTOP_SECONDS = 120;
    private static final int WARM_UP_TIMEOUT_MILLIS = 5_000;
    /**
     * Failed operator logins an address may make within {@link #LOGIN_WINDOW} before it waits for the window's
     * end (429): 10 tries a minute make guessing a 128-bit token hopeless, and leave room for typos.
     */
    static final int LOGIN_FAILURES = 10;
    static final java.time.Duration LOGIN_WINDOW = java.time.Duration.ofMinutes(1);
    /** Addresses the throttle follows at once; beyond, failures from new addresses are throttled together. */
    static final int LOGIN_ADDRESSES = 10_000;
    /**
     * On the admin port's answers under TLS: a browser that reached the console over HTTPS comes back over HTTPS
     * only, for a year (the usual value; no includeSubDomains: the proxy does not speak for its domain's other
     * hosts). Not on the data ports: their clients are programs, and plain HTTP there is the operator's choice.
     */
    static final String HSTS = "max-age=31536000";

    private final Vertx vertx;
    private final ProxyConfig config;
    private final ProxyMetrics metrics;
    private final DataAuthenticator credentials;
    private final Supplier<String> notReady;
    private final BoundedBody bodies;
    private final MalformedHttp malformed;
    private final CorsPolicy cors;
    private final Buffer openApi = loadOpenApi();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Each port's routes as served (one event loop's router: all of a port's are alike), for the contract test. */
    private final java.util.Map<String, Router> served = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean draining;
    /** What the operators' login window and console sessions' lifetime are held to. */
    private final java.time.Clock clock;
    private final Tracing tracing;

    /** @param notReady why the proxy is not ready (for {@code /ready}), or null when it is */
    public HttpServers(Vertx vertx, ProxyConfig config, ProxyMetrics metrics, Supplier<String> notReady,
                       DataAuthenticator credentials) {
        this(vertx, config, metrics, notReady, credentials, java.time.Clock.systemUTC());
    }

    /** @param clock the proxy's clock (login window, console sessions' lifetime) */
    public HttpServers(Vertx vertx, ProxyConfig config, ProxyMetrics metrics, Supplier<String> notReady,
                       DataAuthenticator credentials, java.time.Clock clock) {
        this(vertx, config, metrics, notReady, credentials, clock, Tracing.OFF);
    }

    /** @param tracing spans of data requests ({@link Tracing#OFF}: none) */
    public HttpServers(Vertx vertx, ProxyConfig config, ProxyMetrics metrics, Supplier<String> notReady,
                       DataAuthenticator credentials, java.time.Clock clock, Tracing tracing) {
        this.tracing = tracing;
        this.clock = clock;
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.credentials = credentials;
        this.notReady = () -> draining ? "proxy stopping" : notReady.get();
        BodyBudget budget = new BodyBudget(config.http().maxBodyBytesInFlight());
        metrics.bodyBytesReserved(budget::reserved);
        this.bodies = new BoundedBody(config.http().maxBodyBytes(), budget,
            () -> metrics.overloaded(ProxyMetrics.BOUND_BODY_BYTES));
        this.malformed = new MalformedHttp(metrics::malformedHttp);
        this.cors = CorsPolicy.of(config.http().cors());
    }

    /** Starts every server; the future fails if any port cannot be bound. */
    public Future<Void> start(ProduceService produce, ConsumeService consume, StreamService streams,
                              ControlService control, OperatorCredentials operators) {
        // The operators' web console (issue 13): its sessions are let in through the control plane's door.
        ConsoleSessions consoleSessions = new ConsoleSessions(operators, clock);
        ConsoleAssets consoleAssets = ConsoleAssets.load();
        // One throttle for the port's every door (tokens and the console's login), its failures audited.
        LoginThrottle logins = new LoginThrottle(LOGIN_FAILURES, LOGIN_WINDOW, LOGIN_ADDRESSES,
            () -> java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(clock.millis()),
            (address, result) -> control.calls().auditRefusal(null, address, "operator-login", null, result));
        // Routes are built per server: each event loop has its own guard, which times what its responder answers.
        BiConsumer<Router, Responder> adminMounts = (router, adminResponder) -> {
            ConsoleRoutes console = new ConsoleRoutes(consoleSessions, consoleAssets, adminResponder, logins);
            // The door first: every control route behind it, one route class per kind of command.
            new AdminRoutes(control.calls(), operators, adminResponder, console, logins).mount(router);
            AdminCalls calls = new AdminCalls(adminResponder);
            new GroupRoutes(control.groups(), calls).mount(router);
            new OperationRoutes(control.operations(), produce, calls).mount(router);
            new RedriveRoutes(control.redrives(), calls).mount(router);
            new CredentialRoutes(control.credentials(), calls).mount(router);
            new OriginalControlRoutes(control.groups(), control.operations(), calls).mount(router);
            new AlertRoutes(control.alerts(), control.groups(), calls).mount(router);
            new PushRoutes(control.push(), calls).mount(router);
            new LagRoutes(control.alerts(), control.groups(), calls).mount(router);
            console.mount(router);
        };
        int loops = config.http().eventLoops() > 0 ? config.http().eventLoops()
            : Runtime.getRuntime().availableProcessors();
        ListenerTls tls = new ListenerTls(config.http().tls());
        try {
            tls.check(vertx);
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        ListenerTls adminTls = config.admin().tls() ? tls : ListenerTls.OFF;
        if (tls.enabled()) {
            log.info("TLS on the produce and consume ports{}, certificate {}",
                adminTls.enabled() ? " and the admin port" : "", config.http().tls().certFile());
        }
        return Future.all(List.of(
            deploy("http.producePort", config.http().host(), config.http().producePort(), loops, tls, inFlight,
                guard -> dataRouter(guard, (router, responder, access) ->
                    new ProduceHandler(produce, responder, access).mount(router))),
            deploy("http.consumePort", config.http().host(), config.http().consumePort(), loops, tls, inFlight,
                guard -> dataRouter(guard, (router, responder, access) -> {
                    new ConsumeHandler(consume, responder, access).mount(router);
                    new StreamHandler(streams, responder, access).mount(router);
                })),
            deploy("admin.port", config.admin().host(), config.admin().port(), 1, adminTls, null,
                guard -> adminRouter(guard, adminMounts)))).mapEmpty();
    }

    /**
     * Runs once what a first request would otherwise pay for on top of its own work (class loading and
     * first-call set-up of the router, the response path and the JSON mapper): the serialization of
     * envelopes like the ones data requests answer with, and a plain-socket request to {@code /health}
     * on each port. Blocks (bounded); call from the start-up thread, after {@link #start}. A failure is
     * returned, not thrown: the ports are already known to be bound.
     */
    public String warmUp(List<Object> sampleResults) {
        try {
            for (Object sample : sampleResults) {
                Json.MAPPER.writeValueAsBytes(Envelope.ok(sample));
            }
            for (int port : new int[] {config.http().producePort(), config.http().consumePort(), config.admin().port()}) {
                String host = port == config.admin().port() ? config.admin().host() : config.http().host();
                selfRequest(selfAddress(host), port);
            }
            return null;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void selfRequest(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), WARM_UP_TIMEOUT_MILLIS);
            socket.setSoTimeout(WARM_UP_TIMEOUT_MILLIS);
            socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }
    }

    /** A wildcard bind address is reached on the loopback. */
    private static String selfAddress(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
    }

    /**
     * Stops taking data requests (they get 503 and the connection closes; /ready says 503 so load
     * balancers move on) and waits, up to {@code maxWaitMillis}, for requests in flight to be answered.
     * Vert.x 4 closes servers abruptly, so this is what makes a stop graceful.
     */
    public void drain(long maxWaitMillis) {
        draining = true;
        long deadline = System.currentTimeMillis() + maxWaitMillis;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The routes each port serves (key: the port's setting, e.g. {@code admin.port}), once started. */
    java.util.Map<String, List<io.vertx.ext.web.Route>> servedRoutes() {
        java.util.Map<String, List<io.vertx.ext.web.Route>> routes = new java.util.TreeMap<>();
        served.forEach((port, router) -> routes.put(port, List.copyOf(router.getRoutes())));
        return routes;
    }

    /** A data port's routes, given what answers and what checks credentials on that port's event loop. */
    @FunctionalInterface
    private interface DataRoutes {
        void mount(Router router, Responder responder, DataAccess access);
    }

    private Router dataRouter(ConnectionGuard guard, DataRoutes routes) {
        Responder responder = new Responder(metrics, false, guard);
        DataAccess access = new DataAccess(credentials, responder);
        Router router = Router.router(vertx);
        router.route().handler(guard);
        router.route().handler(ctx -> refuseWhileDraining(ctx, responder));
        // Browsers call from other origins (the seed's jQuery snippets), with cookies for useCookie.
        router.route().handler(cors);
        router.route().handler(bodies);
        router.route().handler(RequestParams::refuseBrokenQuery);
        router.route().handler(access);
        router.route().handler(new RequestTracing(tracing));
        new HealthHandler(notReady, responder).mount(router);
        mountOpenApi(router);
        routes.mount(router, responder, access);
        new RouterFailures(responder, config.http().maxBodyBytes()).install(router);
        return router;
    }

    private Router adminRouter(ConnectionGuard guard, BiConsumer<Router, Responder> adminRoutes) {
        Responder responder = new Responder(metrics, true, guard);
        Router router = Router.router(vertx);
        router.route().handler(guard);
        router.route().handler(HttpServers::strictTransport);
        router.route().handler(bodies);
        router.route().handler(RequestParams::refuseBrokenQuery);
        adminRoutes.accept(router, responder);
        new HealthHandler(notReady, responder).mount(router);
        mountOpenApi(router);
        router.get("/metrics").handler(ctx -> ctx.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .end(metrics.scrape()));
        new RouterFailures(responder, config.http().maxBodyBytes()).install(router);
        return router;
    }

    /** Every admin answer over TLS carries HSTS, refusals and 404s included. */
    private static void strictTransport(RoutingContext ctx) {
        if (ctx.request().isSSL()) {
            ctx.response().putHeader("Strict-Transport-Security", HSTS);
        }
        ctx.next();
    }

    /** Data requests in flight are counted by the guard; while stopping, new ones are turned away. */
    private void refuseWhileDraining(RoutingContext ctx, Responder responder) {
        if (draining) {
            ctx.response().putHeader("Connection", "close");
            responder.write(ctx, "draining", new Envelope(Status.OVERLOADED,
                "proxy stopping: retry on another instance", null), 503);
            return;
        }
        ctx.next();
    }

    private void mountOpenApi(Router router) {
        router.get("/openapi.yaml").handler(ctx -> ctx.response()
            .putHeader("Content-Type", "application/yaml; charset=utf-8")
            .end(openApi));
    }

    private static Buffer loadOpenApi() {
        try (var in = HttpServers.class.getResourceAsStream("/openapi.yaml")) {
            return Buffer.buffer(in.readAllBytes());
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.yaml missing from the jar", e);
        }
    }

    private Future<String> deploy(String key, String host, int port, int instances, ListenerTls tls,
                                  AtomicInteger counted, Function<ConnectionGuard, Router> routers) {
        Function<ConnectionGuard, Router> recorded = guard -> {
            Router router = routers.apply(guard);
            served.put(key, router);
            return router;
        };
        return vertx.deployVerticle(() -> new ServerVerticle(host, port, tls, counted, recorded),
                new DeploymentOptions().setInstances(instances))
            .recover(e -> Future.failedFuture(new IllegalStateException(
                "cannot listen on " + host + ":" + port + " (" + key + "): " + e.getMessage())));
    }

    /** One HTTP server on one event loop; Vert.x spreads a port's connections across instances. */
    private final class ServerVerticle extends AbstractVerticle {
        private final String host;
        private final int port;
        private final ListenerTls tls;
        private final AtomicInteger counted;
        private final Function<ConnectionGuard, Router> routers;
        private long sweeper = -1;

        ServerVerticle(String host, int port, ListenerTls tls, AtomicInteger counted,
                       Function<ConnectionGuard, Router> routers) {
            this.host = host;
            this.port = port;
            this.tls = tls;
            this.counted = counted;
            this.routers = routers;
        }

        @Override
        public void start(Promise<Void> started) {
            ProxyConfig.Http http = config.http();
            int backstop = Math.max(BACKSTOP_SECONDS,
                2 * Math.max(http.idleTimeoutSeconds(), http.requestBodyTimeoutSeconds()));
            ConnectionGuard guard = new ConnectionGuard(http.idleTimeoutSeconds(), http.requestBodyTimeoutSeconds(),
                backstop, counted);
            vertx.createHttpServer(tls.applyTo(new HttpServerOptions().setHost(host).setPort(port)
                    .setTcpNoDelay(true).setCompressionSupported(false)
                    .setHttp2ClearTextEnabled(false)
                    // No WebSockets here: without these Vert.x adds no extension handshakers to every connection.
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)))
                .connectionHandler(connection -> {
                    guard.connected(connection);
                    malformed.watchFraming(connection);
                })
                .invalidRequestHandler(malformed::answerInvalidHead)
                // A connection's failures are its client's doing (resets, garbage): one line, never a stack.
                .exceptionHandler(e -> log.debug("connection failed: {}", LogSafe.of(e)))
                .requestHandler(routers.apply(guard))
                .listen()
                .onSuccess(server -> sweeper = vertx.setPeriodic(guard.sweepMillis(), id -> guard.sweep()))
                .<Void>mapEmpty()
                .onComplete(started);
        }

        @Override
        public void stop() {
            if (sweeper >= 0) {
                vertx.cancelTimer(sweeper);
            }
        }
    }
}
