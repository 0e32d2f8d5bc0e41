package io.mqproxy.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns each collection's lag into alert events: a rule starts firing when its value passes the
 * threshold (backlog above N, oldest message older than T seconds, nothing consumed for T seconds
 * while the backlog grew, at least N dead letters within the window), and resolves when it no
 * longer does, or when its rule is turned off. Each transition is one event, so one notification
 * per firing and one per resolve. Broadcast groups fire on their worst clientId.
 *
 * <p>Runs on the collector's thread; webhook results arrive on the notifier's, and the admin port
 * reads the states from a control thread: all under this object's lock, which guards only memory.
 */
final class AlertEvaluator {
    /** Samples kept per group for the dead-letter window: the window's growth is known to 1/32 of it. */
    private static final int WINDOW_SLICES = 32;

    /** A transition to notify: the alert after it, and whether it started firing or resolved. */
    record Event(AlertState alert, String event) {
    }

    private record Progress(String group, long consumed, long at, long backlogThen) {
    }

    private record Sample(long at, long value) {
    }

    private final Map<String, AlertState> alerts = new HashMap<>();
    private final Map<String, Progress> progress = new HashMap<>();
    private final Map<String, Deque<Sample>> deadLetterSamples = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> removed = new HashSet<>();

    /**
     * Evaluates the groups read in this collection (groups whose read failed are left as they were).
     *
     * @param live every group served now: what is known of others is dropped
     */
    synchronized List<Event> evaluate(List<GroupLag> lags, Set<String> live,
                                      Function<String, AlertThresholds> rules, long now) {
        forgetAllBut(live);
        List<Event> events = new ArrayList<>();
        for (GroupLag lag : lags) {
            Set<String> clients = new HashSet<>();
            lag.clients().forEach(c -> clients.add(c.brokerGroup()));
            progress.entrySet().removeIf(e -> e.getValue().group().equals(lag.group())
                && !clients.contains(e.getKey()));
            AlertThresholds t = rules.apply(lag.group());
            for (AlertRule rule : AlertRule.values()) {
                Value v = value(rule, lag, t, now);
                Event e = step(lag.group(), rule, rule.threshold(t), v, now);
                if (e != null) {
                    events.add(e);
                }
            }
        }
        return events;
    }

    /** A rule's value for a group, and for a broadcast group the clientId it comes from. */
    private record Value(double value, String clientId, boolean fires) {
    }

    private Value value(AlertRule rule, GroupLag lag, AlertThresholds t, long now) {
        long threshold = rule.threshold(t);
        switch (rule) {
            case BACKLOG: {
                ClientLag worst = worst(lag, c -> (double) c.backlog());
                double v = worst == null ? 0 : worst.backlog();
                return new Value(v, clientOf(lag, worst), v > threshold);
            }
            case OLDEST_AGE: {
                ClientLag worst = worst(lag, ClientLag::oldestAgeSeconds);
                double v = worst == null ? 0 : worst.oldestAgeSeconds();
                return new Value(v, clientOf(lag, worst), v > threshold);
            }
            case STUCK: {
                double v = 0;
                ClientLag worst = null;
                for (ClientLag c : lag.clients()) {
                    double s = stuckSeconds(lag.group(), c, now);
                    if (worst == null || s > v) {
                        v = s;
                        worst = c;
                    }
                }
                return new Value(v, clientOf(lag, worst), v >= threshold);
            }
            default: {
                double v = deadLettersWithin(lag, t.deadLettersWindowSeconds(), now);
                return new Value(v, null, v >= threshold);
            }
        }
    }

    private static ClientLag worst(GroupLag lag, java.util.function.ToDoubleFunction<ClientLag> by) {
        ClientLag worst = null;
        for (ClientLag c : lag.clients()) {
            if (worst == null || by.applyAsDouble(c) > by.applyAsDouble(worst)) {
                worst = c;
            }
        }
        return worst;
    }

    private static String clientOf(GroupLag lag, ClientLag c) {
        return lag.broadcast() && c != null ? c.clientId() : null;
    }

    /**
     * Seconds since the client last consumed anything, if its backlog grew since then; else 0. Progress
     * is any change of its consumed count (an offset reset counts too: someone acted).
     */
    private double stuckSeconds(String group, ClientLag c, long now) {
        Progress p = progress.get(c.brokerGroup());
        if (p == null || p.consumed() != c.consumed()) {
            p = new Progress(group, c.consumed(), now, c.backlog());
            progress.put(c.brokerGroup(), p);
        }
        return c.backlog() > 0 && c.backlog() > p.backlogThen() ? (now - p.at()) / 1000.0 : 0;
    }

    /** How many messages were dead-lettered within the window: the growth of the group's dead letters. */
    private double deadLettersWithin(GroupLag lag, long windowSeconds, long now) {
        long window = windowSeconds * 1000;
        Deque<Sample> samples = deadLetterSamples.computeIfAbsent(lag.group(), g -> new ArrayDeque<>());
        while (!samples.isEmpty() && samples.peekFirst().at() < now - window) {
            samples.pollFirst();
        }
        long current = lag.deadLetters();
        long base = samples.isEmpty() ? current : samples.peekFirst().value();
        if (samples.isEmpty() || now - samples.peekLast().at() >= window / WINDOW_SLICES) {
            samples.addLast(new Sample(now, current));
        }
        return Math.max(0, current - base);
    }

    private Event step(String group, AlertRule rule, long threshold, Value v, long now) {
        String key = AlertState.key(group, rule.id());
        AlertState a = alerts.get(key);
        boolean fires = threshold > 0 && v.fires();
        if (fires && (a == null || !a.firing())) {
            AlertState next = new AlertState(group, rule.id(), AlertState.FIRING, now, null, v.value(), threshold,
                rule.unit(), v.clientId(), a == null ? 1 : a.seq() + 1, List.of());
            put(next);
            return new Event(next, AlertState.FIRING);
        }
        if (a != null && a.firing() && !fires) {
            AlertState next = new AlertState(group, rule.id(), AlertState.RESOLVED, a.since(), now, v.value(),
                threshold > 0 ? threshold : a.threshold(), rule.unit(), a.clientId(), a.seq() + 1, List.of());
            put(next);
            return new Event(next, AlertState.RESOLVED);
        }
        if (a != null && a.firing() && (a.value() != v.value() || a.threshold() != threshold)) {
            // Still firing: the latest value is shown, without a new event (nor a write to the broker side).
            alerts.put(key, new AlertState(group, rule.id(), a.status(), a.since(), null, v.value(), threshold,
                a.unit(), a.clientId(), a.seq(), a.notifications()));
        }
        return null;
    }

    private void put(AlertState a) {
        alerts.put(a.key(), a);
        dirty.add(a.key());
        removed.remove(a.key());
    }

    /** A webhook's result for an event; ignored when the alert has moved on to a later event since. */
    synchronized void notified(String key, long seq, AlertState.NotificationResult result) {
        AlertState a = alerts.get(key);
        if (a == null || a.seq() != seq) {
            return;
        }
        List<AlertState.NotificationResult> results = new ArrayList<>();
        for (AlertState.NotificationResult r : a.notifications()) {
            if (!r.webhook().equals(result.webhook())) {
                results.add(r);
            }
        }
        results.add(result);
        alerts.put(key, new AlertState(a.group(), a.rule(), a.status(), a.since(), a.resolvedAt(), a.value(),
            a.threshold(), a.unit(), a.clientId(), a.seq(), results));
        dirty.add(key);
    }

    /** The group is gone: its alerts are dropped (no notification: nothing resolved, it is not served). */
    synchronized void forget(String group) {
        forgetAllBut(alertGroupsExcept(group));
    }

    private Set<String> alertGroupsExcept(String group) {
        Set<String> groups = new HashSet<>();
        alerts.values().forEach(a -> groups.add(a.group()));
        progress.values().forEach(p -> groups.add(p.group()));
        groups.addAll(deadLetterSamples.keySet());
        groups.remove(group);
        return groups;
    }

    private void forgetAllBut(Set<String> live) {
        alerts.values().removeIf(a -> {
            if (live.contains(a.group())) {
                return false;
            }
            dirty.remove(a.key());
            removed.add(a.key());
            return true;
        });
        progress.values().removeIf(p -> !live.contains(p.group()));
        deadLetterSamples.keySet().removeIf(g -> !live.contains(g));
    }

    /** Takes over what another instance left on the broker side, so that firing alerts are not notified again. */
    synchronized void load(Collection<AlertState> persisted) {
        alerts.clear();
        persisted.forEach(a -> alerts.put(a.key(), a));
        dirty.clear();
        removed.clear();
    }

    /** This instance stopped leading: what it knew goes, the next leader reads the broker side. */
    synchronized void clear() {
        alerts.clear();
        progress.clear();
        deadLetterSamples.clear();
        dirty.clear();
        removed.clear();
    }

    synchronized List<AlertState> states() {
        List<AlertState> out = new ArrayList<>(alerts.values());
        out.sort((x, y) -> x.key().compareTo(y.key()));
        return out;
    }

    /** What changed since the last call, to be written to the broker side: states to put, keys to remove. */
    synchronized Changes takeChanges() {
        List<AlertState> put = new ArrayList<>();
        dirty.forEach(k -> {
            AlertState a = alerts.get(k);
            if (a != null) {
                put.add(a);
            }
        });
        Changes c = new Changes(put, List.copyOf(removed));
        dirty.clear();
        removed.clear();
        return c;
    }

    /** Gives back changes that could not be written, to be tried at the next collection. */
    synchronized void unwritten(Changes c) {
        c.put().forEach(a -> {
            if (alerts.containsKey(a.key())) {
                dirty.add(a.key());
            }
        });
        c.removed().forEach(k -> {
            if (!alerts.containsKey(k)) {
                removed.add(k);
            }
        });
    }

    record Changes(List<AlertState> put, List<String> removed) {
        boolean isEmpty() {
            return put.isEmpty() && removed.isEmpty();
        }
    }
}
