package io.mqproxy.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.LogSafe;
import io.mqproxy.threads.ThreadPools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert notifications to the configured webhooks, signed, off every request path: a
 * notification is queued (never waited for; past {@code monitor.webhookQueue} it is dropped, counted
 * and reported in the alert's state), sent by threads of its own with a time-out per attempt, and
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
    private final ThreadPoolExecutor httpThreads;
    private final HttpClient http;
    private volatile boolean closed;

    WebhookNotifier(ProxyConfig.Monitor config, MeterRegistry registry, Results results, ThreadPools pools) {
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
        // The HTTP client's own tasks: a few per exchange, and at most senderCount exchanges at once.
        this.httpThreads = pools.fixed("webhook-io", senderCount, 4096);
        this.http = HttpClient.newBuilder()
            // Plain HTTP/1.1: no h2c upgrade attempt that a receiver behind a simple proxy might mishandle.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(httpThreads)
            .build();
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
            HttpRequest request = HttpRequest.newBuilder(URI.create(d.hook().url()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "mq-proxy")
                .header("X-MQProxy-Event", d.event())
                .header("X-MQProxy-Delivery", d.id())
                .header(NotificationSignature.TIMESTAMP_HEADER, timestamp)
                .header(NotificationSignature.SIGNATURE_HEADER,
                    NotificationSignature.sign(d.hook().secret(), timestamp, d.body()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                .build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                count(d.event(), "ok");
                report(d, "ok", null);
                finish(d);
                return;
            }
            failure = "HTTP " + status;
            retryable = status >= 500 || status == 408 || status == 429;
        } catch (HttpTimeoutException e) {
            failure = "no answer within " + timeout.toSeconds() + " s (monitor.webhookTimeoutSeconds)";
            retryable = true;
        } catch (IOException | IllegalArgumentException e) {
            failure = e.toString();
            retryable = !(e instanceof IllegalArgumentException);
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
        httpThreads.shutdownNow();
    }
}
