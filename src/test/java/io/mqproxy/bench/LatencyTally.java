package io.mqproxy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Send-to-receipt times of the latency phase, in the benchmark's JVM or in {@link LatencyPollClient}'s. Bodies
 * are {@code "index sendNanos"}, sent one every {@code intervalMillis}; the first {@code warmup} are not
 * measured; a body seen twice counts as a duplicate. Thread-safe.
 */
final class LatencyTally {
    private final int warmup;
    private final int measured;
    private final int intervalMillis;
    private final boolean[] seen;
    private final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
    /** (index, nanos) of every measured body: 500-1,500 of them. */
    private final List<long[]> times = new ArrayList<>();
    private int duplicates;

    LatencyTally(int warmup, int measured, int intervalMillis) {
        this.warmup = warmup;
        this.measured = measured;
        this.intervalMillis = intervalMillis;
        this.seen = new boolean[warmup + measured];
    }

    /** Records a body received at {@code nowNanos}; true when it is the last one to be measured. */
    synchronized boolean record(String body, long nowNanos) {
        String[] f = body.split(" ");
        int index = Integer.parseInt(f[0]);
        if (index >= seen.length || seen[index]) {
            duplicates++;
            return false;
        }
        seen[index] = true;
        if (index < warmup) {
            return false;
        }
        long nanos = Math.max(0, nowNanos - Long.parseLong(f[1]));
        latency.recordValue(nanos);
        times.add(new long[] {index, nanos});
        return times.size() == measured;
    }

    synchronized int received() {
        return times.size();
    }

    synchronized int duplicates() {
        return duplicates;
    }

    /** {@code latency ms: p50=... p90=... p99=... max=...  (over 100 ms: n, over 1 s: n)}. */
    synchronized String percentiles() {
        return String.format(Locale.ROOT, "latency ms: p50=%.1f p90=%.1f p99=%.1f max=%.1f  (over 100 ms: %d, over 1 s: "
                + "%d)", latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
            latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6,
            latency.getTotalCount() - latency.getCountBetweenValues(0, TimeUnit.MILLISECONDS.toNanos(100)),
            latency.getTotalCount() - latency.getCountBetweenValues(0, TimeUnit.SECONDS.toNanos(1)));
    }

    /**
     * The ten slowest with when they were sent: whether they came together (a burst of polls, a pause) or spread
     * out tells causes apart.
     */
    synchronized String slowest() {
        StringBuilder slow = new StringBuilder("slowest:");
        times.stream().sorted((a, b) -> Long.compare(b[1], a[1])).limit(10).forEach(t -> slow.append(
            String.format(Locale.ROOT, " %.1f ms (sent at %d ms),", t[1] / 1e6, t[0] * intervalMillis)));
        return slow.toString();
    }
}
