package io.mqproxy.monitor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The collecting instance's recent lag, for the operators' console: each group's last collection whole
 * (queues, clientIds), and an hour of samples per group (backlog, in-flight, retries, dead letters, age
 * and what was consumed) in a ring of fixed size, at most one sample per {@link #spacingMillis()}.
 *
 * <p>Bounded: {@value #CAPACITY} samples of a few longs per group, so about 12 KB per group whatever the
 * collection interval, and a group removed from the registry is forgotten. In memory only: a restart, or
 * another instance taking over the collection, starts the history again (Prometheus keeps the long one).
 */
public final class LagHistory {
    /** One hour at the default interval (15 s). */
    static final int CAPACITY = 240;
    private static final long HOUR_MILLIS = TimeUnit.HOURS.toMillis(1);

    /**
     * One sample. {@code consumeRate} is messages consumed (acked) per second since the sample before it
     * (null for the first one); {@code inflight} is -1 when unknown.
     */
    public record Sample(long at, long backlog, long inflight, long retryBacklog, long deadLetters,
                         double oldestAgeSeconds, Double consumeRate) {
    }

    private final long spacingMillis;
    private final long toleranceMillis;
    private final Map<String, Ring> rings = new ConcurrentHashMap<>();
    private final Map<String, GroupLag> latest = new ConcurrentHashMap<>();
    private volatile long latestAt;

    /** @param intervalSeconds how often lag is collected; samples are kept at least an hour / capacity apart */
    public LagHistory(int intervalSeconds) {
        long interval = TimeUnit.SECONDS.toMillis(intervalSeconds);
        this.spacingMillis = Math.max(interval, HOUR_MILLIS / CAPACITY);
        // Collections drift by a little: one due a moment early is still this slot's.
        this.toleranceMillis = interval / 2;
    }

    /** How far apart kept samples are. */
    public long spacingMillis() {
        return spacingMillis;
    }

    /** When the last collection recorded here ended; 0 for none. */
    public long latestAt() {
        return latestAt;
    }

    /** Records one collection. */
    void record(Collection<GroupLag> lags, long now) {
        for (GroupLag lag : lags) {
            latest.put(lag.group(), lag);
            long consumed = lag.clients().stream().mapToLong(ClientLag::consumed).sum();
            rings.computeIfAbsent(lag.group(), g -> new Ring()).add(now, lag, consumed, spacingMillis - toleranceMillis);
        }
        latestAt = now;
    }

    /** A group's last collected lag. */
    public Optional<GroupLag> latest(String group) {
        return Optional.ofNullable(latest.get(group));
    }

    /** Every group's last collected lag. */
    public Map<String, GroupLag> latest() {
        return Map.copyOf(latest);
    }

    /** A group's samples since {@code since} (epoch ms), oldest first. */
    public List<Sample> samples(String group, long since) {
        Ring ring = rings.get(group);
        return ring == null ? List.of() : ring.since(since);
    }

    void forget(String group) {
        rings.remove(group);
        latest.remove(group);
    }

    /** This instance no longer collects: what it had last is no longer current (its past samples stay true). */
    void notCurrent() {
        latest.clear();
        latestAt = 0;
    }

    /** Fixed arrays, oldest overwritten: no object per sample. */
    private static final class Ring {
        private final long[] at = new long[CAPACITY];
        private final long[] backlog = new long[CAPACITY];
        private final long[] inflight = new long[CAPACITY];
        private final long[] retry = new long[CAPACITY];
        private final long[] dead = new long[CAPACITY];
        private final long[] consumed = new long[CAPACITY];
        private final double[] age = new double[CAPACITY];
        private int next;
        private int size;

        synchronized void add(long now, GroupLag lag, long consumedCount, long minGap) {
            if (size > 0 && now - at[(next - 1 + CAPACITY) % CAPACITY] < minGap) {
                return;
            }
            at[next] = now;
            backlog[next] = lag.backlog();
            inflight[next] = lag.inflight();
            retry[next] = lag.retryBacklog();
            dead[next] = lag.deadLetters();
            consumed[next] = consumedCount;
            age[next] = lag.oldestAgeSeconds();
            next = (next + 1) % CAPACITY;
            size = Math.min(size + 1, CAPACITY);
        }

        synchronized List<Sample> since(long since) {
            List<Sample> out = new ArrayList<>();
            int first = (next - size + CAPACITY) % CAPACITY;
            for (int n = 0; n < size; n++) {
                int i = (first + n) % CAPACITY;
                if (at[i] < since) {
                    continue;
                }
                Double rate = null;
                if (n > 0) {
                    int prev = (i - 1 + CAPACITY) % CAPACITY;
                    double seconds = (at[i] - at[prev]) / 1000.0;
                    // An offset reset moves the count backwards: that is no negative consumption.
                    rate = seconds <= 0 ? null : Math.max(0, consumed[i] - consumed[prev]) / seconds;
                }
                out.add(new Sample(at[i], backlog[i], inflight[i], retry[i], dead[i], age[i], rate));
            }
            return out;
        }
    }
}
