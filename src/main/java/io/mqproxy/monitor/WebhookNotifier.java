package io.mqproxy.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.LogSafe;
import io.mqproxy.threads.ThreadPools;
import io.mqproxy.webhook.WebhookClient;
import io.netty.channel.ConnectTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert notifications to the configured webhooks, signed, off every request path: a
 * notification is queued (never waited for; past {@code monitor.webhookQueue} it is dropped, counted
 * and reported in the alert's state), sent through the proxy's webhook client by sender threads of its own
 * ({@code threads.alertWebhooks}, each waiting for its answer off every event loop) with a time-out per
 * attempt, and
 * retried with exponential back-off when the receiver fails (5xx, 408, 429, time-out, no connection).
 * A later event of the same alert (resolved after firing) supersedes retries of the earlier one.
 */
final class WebhookNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    /** Where each delivery's outcome is reported, on a notifier thread. */
    interface Results {
        void result(String alertKey, long seq, AlertState.NotificationResult result);
    }

    /** @param name the webhook as shown and logged: its index and origin, never its path (it may be a secret) */
    private record Delivery(ProxyConfig.Webhook hook, String name, String alertKey, long seq, String event, String id,
                            byte[] body, int attempt) {
        Delivery next() {
            return new Delivery(hook, name, alertKey, seq, event, id, body, attempt + 1);
        }

        String slot() {
            return alertKey + " " + name;
        }
    }

    private final List<ProxyConfig.Webhook> hooks;
    private final Duration timeout;
    private final int retries;
    private final long firstBackoffMillis;
    private final int capacity;
    private final Results results;
    private final MeterRegistry registry;
    /** Deliveries queued, being sent or waiting to be retried; at most {@code capacity}. */
    private final AtomicInteger alive = new AtomicInteger();
    private final BlockingQueue<Delivery> ready;
    /** The newest event of each alert at each webhook: older ones still queued are superseded. */
    private final Map<String, Long> newest = new ConcurrentHashMap<>();
    private final int senderCount;
    private final ExecutorService senders;
    /** Holds at most {@code capacity} tasks: one per delivery alive, which {@link #alive} bounds. */
    private final ScheduledExecutorService retryLater;
    private final WebhookClient http;
    private volatile boolean closed;

    WebhookNotifier(ProxyConfig.Monitor config, MeterRegistry registry, Results results, ThreadPools pools,
                    WebhookClient http) {
        this.hooks = config.webhooks();
        this.timeout = Duration.ofSeconds(config.webhookTimeoutSeconds());
        this.retries = config.webhookRetries();
        this.firstBackoffMillis = config.webhookRetryMillis();
        this.capacity = config.webhookQueue();
        this.results = results;
        this.registry = registry;
        this.senderCount = pools.sizes().alertWebhooks();
        this.ready = new ArrayBlockingQueue<>(capacity);
        this.senders = pools.fixed("webhook", senderCount, senderCount);
        this.retryLater = pools.scheduler("webhook-retry", capacity);
        this.http = http;
        Gauge.builder("mqproxy.alert.notifications.pending", alive, AtomicInteger::get)
            .description("notifications queued, being sent or waiting for a retry (at most monitor.webhookQueue)")
            .register(registry);
        // From the first scrape, at zero: "failed or dropped within 15 min" rules see a series before any alert.
        for (String event : List.of(AlertState.FIRING, AlertState.RESOLVED)) {
            for (String outcome : List.of("ok", "failed", "retried", "dropped", "superseded")) {
                counter(event, outcome);
            }
        }
        for (int i = 0; i < senderCount; i++) {
            senders.execute(this::sendLoop);
        }
    }

    boolean hasWebhooks() {
        return !hooks.isEmpty();
    }

    /** Queues the notification for every webhook; never blocks. */
    void send(String alertKey, long seq, String event, String id, byte[] body) {
        for (int i = 0; i < hooks.size(); i++) {
            ProxyConfig.Webhook hook = hooks.get(i);
            Delivery d = new Delivery(hook, name(i, hook.url()), alertKey, seq, event, id, body, 1);
            newest.merge(d.slot(), seq, Math::max);
            if (alive.incrementAndGet() > capacity || !ready.offer(d)) {
                alive.decrementAndGet();
                count(event, "dropped");
                log.warn("alert notification {} to {} dropped: {} notifications already pending (monitor.webhookQueue)",
                    id, d.name(), capacity);
                report(d, "dropped", "the notification queue was full (monitor.webhookQueue " + capacity + ")");
                continue;
            }
            report(d, "pending", null);
        }
    }

    private void sendLoop() {
        while (!closed) {
            Delivery d;
            try {
                d = ready.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (d != null) {
                attempt(d);
            }
        }
    }

    private void attempt(Delivery d) {
        Long latest = newest.get(d.slot());
        if (latest != null && latest > d.seq()) {
            count(d.event(), "superseded");
            finish(d);
            return;
        }
        String failure;
        boolean retryable;
        try {
            String timestamp = Long.toString(System.currentTimeMillis() / 1000);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", "mq-proxy");
            headers.put("X-MQProxy-Event", d.event());
            headers.put("X-MQProxy-Delivery", d.id());
            headers.put(NotificationSignature.TIMESTAMP_HEADER, timestamp);
            headers.put(NotificationSignature.SIGNATURE_HEADER,
                NotificationSignature.sign(d.hook().secret(), timestamp, d.body()));
            // A sender thread waits for the answer; the exchange runs on Vert.x. Its time-outs bound the connect
            // and each silence; the wait here also bounds an answer that trickles.
            int status = http.post(d.hook().url(), headers, d.body(), timeout.toMillis())
                .toCompletionStage().toCompletableFuture().get(2 * timeout.toMillis(), TimeUnit.MILLISECONDS)
                .statusCode();
            if (status >= 200 && status < 300) {
                count(d.event(), "ok");
                report(d, "ok", null);
                finish(d);
                return;
            }
            failure = "HTTP " + status;
            retryable = status >= 500 || status == 408 || status == 429;
        } catch (TimeoutException e) {
            failure = noAnswer();
            retryable = true;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failure = cause instanceof TimeoutException || cause instanceof ConnectTimeoutException
                ? noAnswer() : cause.toString();
            retryable = true;
        } catch (IllegalArgumentException e) {
            failure = e.toString();
            retryable = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(d);
            return;
        }
        if (!retryable || d.attempt() > retries || closed) {
            count(d.event(), "failed");
            log.warn("alert notification {} to {} failed after {} attempt(s): {}", d.id(), d.name(), d.attempt(),
                LogSafe.of(failure));
            report(d, "failed", failure);
            finish(d);
            return;
        }
        count(d.event(), "retried");
        report(d, "pending", failure);
        long backoff = Math.min(MAX_BACKOFF_MILLIS, firstBackoffMillis << Math.min(20, d.attempt() - 1));
        try {
            retryLater.schedule(() -> {
                if (!ready.offer(d.next())) {
                    // Cannot happen while alive bounds what is queued; said, not lost silently, if it does.
                    count(d.event(), "dropped");
                    report(d, "dropped", "the notification queue was full");
                    finish(d);
                }
            }, backoff, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            finish(d);
        }
    }

    private String noAnswer() {
        return "no answer within " + timeout.toSeconds() + " s (monitor.webhookTimeoutSeconds)";
    }

    private void finish(Delivery d) {
        newest.remove(d.slot(), d.seq());
        alive.decrementAndGet();
    }

    private void report(Delivery d, String outcome, String error) {
        try {
            results.result(d.alertKey(), d.seq(), new AlertState.NotificationResult(d.name(), d.event(), outcome,
                d.attempt(), System.currentTimeMillis(), error));
        } catch (RuntimeException e) {
            log.error("alert notification result not recorded", e);
        }
    }

    private void count(String event, String outcome) {
        counter(event, outcome).increment();
    }

    private Counter counter(String event, String outcome) {
        return Counter.builder("mqproxy.alert.notifications")
            .description("alert notifications by event (firing, resolved) and outcome (ok, failed, retried, dropped, "
                + "superseded)")
            .tag("event", event).tag("outcome", outcome)
            .register(registry);
    }

    /** "webhooks[0] https://hooks.example.com": a webhook's path and query may hold a secret (as Slack's do). */
    static String name(int index, String url) {
        URI uri = URI.create(url);
        return "webhooks[" + index + "] " + uri.getScheme() + "://" + uri.getHost()
            + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    @Override
    public void close() {
        closed = true;
        retryLater.shutdownNow();
        senders.shutdownNow();
    }
}
