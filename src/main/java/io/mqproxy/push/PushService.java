package io.mqproxy.push;

import io.mqproxy.consume.ConsumeService;
import io.mqproxy.log.LogSafe;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import io.mqproxy.tracing.Tracing;
import io.mqproxy.webhook.WebhookClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook subscriptions (issue 12): every instance runs a {@link GroupPusher} for each group that has a
 * push endpoint and is not paused, and follows the registry's changes (a subscription set, changed or
 * removed, a pause, a resume) on every instance within the registry's sync interval. Nothing is kept
 * here that the broker does not also hold: a restarted instance starts pushing again from the registry.
 *
 * <p>The webhook client runs on the proxy's one Vert.x instance (which has {@code push.eventLoops} more
 * loops for it): it never blocks a loop, so a slow or hanging endpoint costs its own group's in-flight slots
 * and nothing else.
 */
public final class PushService implements RegistryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final Registry registry;
    private final ConsumeService consume;
    private final PushMetrics metrics;
    private final IntSupplier liveInstances;
    private final Vertx vertx;
    private final WebhookClient webhooks;
    private final Clock clock;
    private final Tracing tracing;
    /** Guarded by this; a pusher's own work runs on its context, never under this lock. */
    private final Map<String, GroupPusher> pushers = new HashMap<>();
    private boolean closed;

    /**
     * @param liveInstances proxy instances serving the fleet now: each takes its share of an endpoint's rate
     * @param vertx         the proxy's Vert.x: its owner closes it, after this
     * @param webhooks      the proxy's webhook client, shared with alert notifications
     * @param clock         the proxy's clock: endpoint rates and the signatures' time go by it
     * @param tracing       a span per webhook request ({@link Tracing#OFF}: none)
     */
    public PushService(Registry registry, ConsumeService consume, PushMetrics metrics, IntSupplier liveInstances,
                       Vertx vertx, WebhookClient webhooks, Clock clock, Tracing tracing) {
        this.clock = clock;
        this.tracing = tracing;
        this.registry = registry;
        this.consume = consume;
        this.metrics = metrics;
        this.liveInstances = liveInstances;
        this.vertx = vertx;
        this.webhooks = webhooks;
    }

    /** Starts pushing for every group that has an endpoint, then follows the registry. */
    public void start() {
        registry.addListener(this);
        registry.consumers().forEach(g -> reconcile(g.name(), g));
    }

    @Override
    public void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
        String name = before != null ? before.name() : after.name();
        reconcile(name, after);
        if (after == null) {
            metrics.forget(name);
        }
    }

    /** Consumers being pushed from this instance now (for views and tests). */
    public synchronized List<String> pushing() {
        return new ArrayList<>(pushers.keySet());
    }

    private synchronized void reconcile(String name, ConsumerGroup now) {
        if (closed) {
            return;
        }
        GroupPusher current = pushers.get(name);
        boolean wanted = now != null && now.push() != null && !now.paused();
        if (current != null && wanted && current.serves(now)) {
            return;
        }
        if (current != null) {
            pushers.remove(name);
            current.stop();
            log.info("push of consumer {} stopped on this instance", name);
        }
        if (wanted) {
            GroupPusher pusher = new GroupPusher(now, consume, webhooks, vertx.getOrCreateContext(), metrics,
                liveInstances, clock, tracing);
            pushers.put(name, pusher);
            pusher.start();
            log.info("pushing consumer {} to {}", name, LogSafe.of(origin(now.push().url())));
        }
    }

    /** Where a URL points, without its path or query: they may hold a token, and this is logged. */
    static String origin(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "(unparsable URL)";
        }
    }

    /** Stops every pusher and lets requests in flight finish and be settled (bounded). */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        synchronized (this) {
            closed = true;
            pushers.values().forEach(p -> stopping.add(p.stop()));
            pushers.clear();
        }
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new))
                .get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("pushes still in flight after {} ms: they are delivered again when their reservation ends",
                STOP_WAIT_MILLIS);
        }
    }
}
