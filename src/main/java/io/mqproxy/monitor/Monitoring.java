package io.mqproxy.monitor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mqproxy.broker.AlertStateStore;
import io.mqproxy.broker.BrokerAccess;
import io.mqproxy.broker.FleetMembers;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.LogSafe;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import io.mqproxy.threads.ThreadPools;
import io.mqproxy.webhook.WebhookClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lag collection and alerting for the fleet. Every instance runs this, but only one acts: the one that
 * holds the fleet's {@link Leadership} (the smallest client id the brokers list, picked for as long as two
 * instances may disagree on the fleet), so that two instances never collect, nor notify, at once. That
 * one reads every group's lag on {@code monitor.intervalSeconds}, exports it at {@code /metrics}, evaluates
 * the alert rules and sends their notifications; it keeps the alerts' state broker-side, so its successor
 * neither forgets a firing alert nor notifies it again. The others export no lag
 * ({@code mqproxy_monitor_leader} 0) and show the alerts from the broker side.
 *
 * <p>Everything runs on its own threads: {@code mqproxy-monitor} (schedule, evaluation, state),
 * {@code mqproxy-monitor-read} (broker reads), and the notifier's; never on an event loop, and the data
 * plane never waits for any of it.
 */
public final class Monitoring implements RegistryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Monitoring.class);
    static final ObjectMapper JSON = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
    /** Leadership is checked this often, so an instance that stops leading stops within about this. */
    private static final long TICK_MILLIS = 1_000;

    private final ProxyConfig.Monitor config;
    private final Registry registry;
    private final FleetMembers fleet;
    private final Leadership leadership;
    private final AlertStateStore store;
    private final AlertRuleBook rules;
    private final LagCollector collector;
    private final LagMeters meters;
    private final AlertEvaluator evaluator = new AlertEvaluator();
    /** The last hour of lag per group, for the operators' console. */
    private final LagHistory history;
    private final WebhookNotifier notifier;
    private final String adminUrl;
    private final MeterRegistry meterRegistry;
    private final Timer collectionTime;
    private final Counter brokerCalls;
    private final MultiGauge firing;
    /** The value each row of {@link #firing} reads: a row kept from one publication to the next keeps its box. */
    private Map<List<String>, AtomicInteger> firingBoxes = Map.of();
    private final ScheduledExecutorService ticker;
    private volatile boolean acting;
    private volatile Status last = Status.NONE;
    private long nextCollection;
    /** What leadership's agreement time, the collection interval and alert durations are measured by. */
    private final Clock clock;

    /** The last collection, for the admin port. */
    public record Status(long at, long millis, int groups, int reads, List<String> failedGroups, long brokerCalls,
                         boolean inflightKnown) {
        static final Status NONE = new Status(0, 0, 0, 0, List.of(), 0, false);
    }

    private Monitoring(ProxyConfig config, Registry registry, BrokerAccess broker, ProxyMetrics metrics,
                       AlertRuleBook rules, Clock clock, ThreadPools pools, WebhookClient webhooks) {
        this.clock = clock;
        this.config = config.monitor();
        this.ticker = pools.scheduler("monitor", 16);
        this.registry = registry;
        this.fleet = broker.fleet();
        this.leadership = new Leadership(fleet, clock);
        this.store = broker.alertStates();
        this.rules = rules;
        this.meterRegistry = metrics.registry();
        this.collector = new LagCollector(broker.lag(), broker.clients(), this.config.brokerCalls(),
            this.config.brokerWideFrom(), pools);
        this.meters = new LagMeters(meterRegistry, this.config.maxClientIdSeries());
        this.history = new LagHistory(this.config.intervalSeconds());
        this.notifier = new WebhookNotifier(this.config, meterRegistry, evaluator::notified, pools,
            webhooks);
        this.adminUrl = this.config.adminUrl() == null || this.config.adminUrl().isEmpty()
            ? "http://" + config.admin().host() + ":" + config.admin().port()
            : this.config.adminUrl().replaceAll("/+$", "");
        this.collectionTime = Timer.builder("mqproxy.monitor.collection")
            .description("time of one lag collection of every group (leader only)")
            .register(meterRegistry);
        this.brokerCalls = Counter.builder("mqproxy.monitor.broker.calls")
            .description("calls to brokers and name servers made by lag collections")
            .register(meterRegistry);
        Gauge.builder("mqproxy.monitor.leader", this, m -> m.acting ? 1 : 0)
            .description("1 on the instance that collects lag and sends alerts for the fleet, 0 on the others")
            .register(meterRegistry);
        Gauge.builder("mqproxy.monitor.last.collection", this, m -> m.last.at() / 1000.0)
            .description("when the last lag collection ended (epoch seconds; 0: none yet on this instance)")
            .baseUnit("timestamp.seconds")
            .register(meterRegistry);
        Gauge.builder("mqproxy.monitor.groups.failed", this, m -> m.last.failedGroups().size())
            .description("groups whose lag the last collection could not read (they keep their last values)")
            .register(meterRegistry);
        this.firing = MultiGauge.builder("mqproxy.alerts.firing")
            .description("1 for each alert firing now, by group and rule (leader only)")
            .register(meterRegistry);
        registry.addListener(this);
    }

    /** Starts collecting on this instance's turn; {@code monitor.enabled: false} only keeps the rules. */
    public static Monitoring start(ProxyConfig config, Registry registry, BrokerAccess broker, ProxyMetrics metrics,
                                   AlertRuleBook rules, Clock clock, ThreadPools pools, WebhookClient webhooks) {
        Monitoring m = new Monitoring(config, registry, broker, metrics, rules, clock, pools, webhooks);
        if (config.monitor().enabled()) {
            m.ticker.scheduleWithFixedDelay(m::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            log.info("lag collection and alerts are off on this instance (monitor.enabled: false)");
            m.ticker.scheduleWithFixedDelay(m::warnIfLeadingDisabled, 30, 60, TimeUnit.SECONDS);
        }
        return m;
    }

    /**
     * The election does not know which instances have monitoring on: an instance with it off that the fleet
     * puts first leaves lag uncollected. Said in the log (and by mqproxy_monitor_leader 0 on every instance).
     */
    private void warnIfLeadingDisabled() {
        if (leadership.picked()) {
            log.warn("this instance is the one the fleet picks to collect lag and send alerts, but monitor.enabled "
                + "is false here: nobody collects. Set monitor.enabled alike on every instance");
        }
    }

    public AlertRuleBook rules() {
        return rules;
    }

    /** Whether this instance collects and notifies for the fleet now. */
    public boolean acting() {
        return acting;
    }

    public String instance() {
        return fleet.self();
    }

    public Set<String> fleet() {
        return fleet.instances();
    }

    public Status lastCollection() {
        return last;
    }

    public ProxyConfig.Monitor config() {
        return config;
    }

    /** This instance's recent lag samples (kept while it collects). */
    public LagHistory history() {
        return history;
    }

    /**
     * The alerts, firing and resolved: this instance's own view when it acts for the fleet, else what the
     * acting one keeps broker-side. Blocks on another instance.
     */
    public List<AlertState> alerts() throws Exception {
        if (acting) {
            return evaluator.states();
        }
        return readStates();
    }

    private List<AlertState> readStates() throws Exception {
        List<AlertState> out = new ArrayList<>();
        for (Map.Entry<String, String> e : store.entries().entrySet()) {
            try {
                out.add(JSON.readValue(e.getValue(), AlertState.class));
            } catch (Exception damaged) {
                log.warn("alert state {} ignored: {}", LogSafe.of(e.getKey()), LogSafe.of(damaged.getMessage()));
            }
        }
        out.sort((x, y) -> x.key().compareTo(y.key()));
        return out;
    }

    @Override
    public void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
        if (after == null && before != null) {
            meters.forget(before.name());
            history.forget(before.name());
            evaluator.forget(before.name());
            publishFiring();
        }
    }

    private void tick() {
        try {
            if (!leadership.holds()) {
                if (acting) {
                    stopActing();
                }
                return;
            }
            if (!acting) {
                startActing();
            }
            long now = clock.millis();
            if (now >= nextCollection) {
                nextCollection = now + TimeUnit.SECONDS.toMillis(config.intervalSeconds());
                collectOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } catch (Exception e) {
            log.warn("lag collection failed: {}", e.toString());
        } catch (Error e) {
            // Thrown on, the schedule would stop silently: said loudly first.
            log.error("lag collection stopped", e);
            throw e;
        }
    }

    private void startActing() throws Exception {
        evaluator.load(readStates());
        acting = true;
        nextCollection = 0;
        log.info("this instance ({}) now collects lag and sends alerts for the fleet", fleet.self());
    }

    private void stopActing() {
        acting = false;
        meters.clear();
        history.notCurrent();
        evaluator.clear();
        publishFiring();
        last = Status.NONE;
        log.info("this instance ({}) no longer collects lag: another instance leads", fleet.self());
    }

    /** One collection, its series, its alerts and their notifications. */
    void collectOnce() throws Exception {
        List<ConsumerGroup> groups = registry.consumers();
        // A collection may use its whole interval, and no less than a broker call's time-out.
        long budget = Math.max(TimeUnit.SECONDS.toMillis(config.intervalSeconds()), 10_000);
        LagCollector.Collection c = collector.collect(groups, budget);
        collectionTime.record(c.nanos(), TimeUnit.NANOSECONDS);
        brokerCalls.increment(c.brokerCalls());
        // A group removed while it was being read has already lost its series: it does not get them back.
        List<GroupLag> current = c.lags().stream().filter(l -> registry.consumer(l.group()).isPresent()).toList();
        meters.publish(current, c.failed());
        history.record(current, clock.millis());
        boolean known = c.lags().stream().allMatch(l -> l.inflight() >= 0);
        last = new Status(clock.millis(), TimeUnit.NANOSECONDS.toMillis(c.nanos()), c.lags().size(),
            c.reads(), List.copyOf(c.failed()), c.brokerCalls(), known);
        Set<String> live = new HashSet<>();
        groups.forEach(g -> live.add(g.name()));
        List<AlertEvaluator.Event> events = evaluator.evaluate(c.lags(), live, rules::forGroup,
            clock.millis());
        // Written before it is sent: an instance that takes over then knows it was.
        persist();
        Map<String, String> topics = new LinkedHashMap<>();
        groups.forEach(g -> topics.put(g.name(), g.topic()));
        for (AlertEvaluator.Event e : events) {
            log.info("alert {} {}: {}", e.alert().key(), e.event(), summary(e.alert(), e.event()));
            if (notifier.hasWebhooks()) {
                notifier.send(e.alert().key(), e.alert().seq(), e.event(), notificationId(e),
                    JSON.writeValueAsBytes(notification(e, topics.get(e.alert().group()))));
            }
        }
        publishFiring();
        persist();
    }

    private void persist() {
        AlertEvaluator.Changes changes = evaluator.takeChanges();
        if (changes.isEmpty()) {
            return;
        }
        try {
            for (AlertState a : changes.put()) {
                store.put(a.key(), JSON.writeValueAsString(a));
            }
            for (String key : changes.removed()) {
                store.remove(key);
            }
        } catch (Exception e) {
            evaluator.unwritten(changes);
            log.warn("alert state not written broker-side (tried again at the next collection): {}", e.toString());
        }
    }

    private synchronized void publishFiring() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        if (acting) {
            // 1 for each alert firing, 0 for each rule in force that does not: a panel and an absent() rule
            // see every group's rules from the first collection, not from their first alert.
            Map<List<String>, Integer> values = new LinkedHashMap<>();
            for (ConsumerGroup g : registry.consumers()) {
                AlertThresholds thresholds = rules.forGroup(g.name());
                for (AlertRule rule : AlertRule.values()) {
                    if (rule.threshold(thresholds) > 0) {
                        values.put(List.of(g.name(), rule.id()), 0);
                    }
                }
            }
            for (AlertState a : evaluator.states()) {
                if (a.firing()) {
                    values.put(List.of(a.group(), a.rule()), 1);
                }
            }
            Map<List<String>, AtomicInteger> boxes = new HashMap<>();
            values.forEach((key, value) -> {
                AtomicInteger box = firingBoxes.getOrDefault(key, new AtomicInteger());
                box.set(value);
                boxes.put(key, box);
                rows.add(MultiGauge.Row.of(Tags.of("group", key.get(0), "rule", key.get(1)), box,
                    AtomicInteger::get));
            });
            firingBoxes = boxes;
        } else {
            firingBoxes = Map.of();
        }
        // Not overwriting: an alert that still fires keeps its gauge, so no scrape misses it.
        firing.register(rows, false);
    }

    private static String notificationId(AlertEvaluator.Event e) {
        return e.alert().key() + "/" + e.alert().since() + "/" + e.event();
    }

    /** What a webhook receives: who, what, the value against the threshold, since when, and where to look. */
    private Map<String, Object> notification(AlertEvaluator.Event e, String topic) {
        AlertState a = e.alert();
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", notificationId(e));
        n.put("status", e.event());
        n.put("group", a.group());
        if (topic != null) {
            n.put("topic", topic);
        }
        if (a.clientId() != null) {
            n.put("clientId", a.clientId());
        }
        n.put("rule", a.rule());
        n.put("summary", summary(a, e.event()));
        n.put("value", a.value());
        n.put("threshold", a.threshold());
        n.put("unit", a.unit());
        n.put("since", Instant.ofEpochMilli(a.since()).toString());
        if (a.resolvedAt() != null) {
            n.put("resolvedAt", Instant.ofEpochMilli(a.resolvedAt()).toString());
        }
        // The console's group page (behind its login), not the API (which wants the operator token).
        n.put("link", adminUrl + "/console/#/group/"
            + URLEncoder.encode(a.group(), StandardCharsets.UTF_8).replace("+", "%20"));
        n.put("instance", fleet.self());
        n.put("sentAt", clock.instant().toString());
        return n;
    }

    private static String summary(AlertState a, String event) {
        String who = "group '" + a.group() + "'" + (a.clientId() != null ? " (clientId '" + a.clientId() + "')" : "");
        String value = (a.value() == Math.rint(a.value()) ? Long.toString((long) a.value())
            : String.format(java.util.Locale.ROOT, "%.1f", a.value())) + " " + a.unit();
        String what = switch (AlertRule.of(a.rule())) {
            case BACKLOG -> "backlog of " + who + " is " + value;
            case OLDEST_AGE -> "oldest message waiting for " + who + " is " + value + " old";
            case STUCK -> who + " consumed nothing for " + value + " while its backlog grew";
            case DEAD_LETTERS -> value + " dead-lettered for " + who + " within the window";
        };
        return AlertState.FIRING.equals(event) ? what + ", over the threshold of " + a.threshold()
            : "resolved: " + what + " (threshold " + a.threshold() + ")";
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collector.close();
        notifier.close();
    }
}
