package io.mqproxy.bench;

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
    /** Send-to-receipt time of every body, by index, warm-up included. */
    private final long[] nanos;
    private int measuredReceived;
    private int duplicates;

    LatencyTally(int warmup, int measured, int intervalMillis) {
        this.warmup = warmup;
        this.measured = measured;
        this.intervalMillis = intervalMillis;
        this.seen = new boolean[warmup + measured];
        this.nanos = new long[warmup + measured];
    }

    /**
     * Records a body received at {@code nowNanos}; true when it is the last one to be measured. Warm-up and measured
     * bodies take the same path: a branch first taken at the first measured body made the JIT deoptimize the
     * compiled receive path it was inlined into (the in-JVM clients' whole HTTP read path), and the first
     * 100-200 ms of the measured window were slow in some runs for that alone.
     */
    synchronized boolean record(String body, long nowNanos) {
        String[] f = body.split(" ");
        int index = Integer.parseInt(f[0]);
        if (index >= seen.length || seen[index]) {
            duplicates++;
            return false;
        }
        seen[index] = true;
        nanos[index] = Math.max(0, nowNanos - Long.parseLong(f[1]));
        // 1 when index >= warmup, without a branch (index < seen.length <= Integer.MAX_VALUE).
        measuredReceived += (warmup - 1 - index) >>> 31;
        return measuredReceived == measured;
    }

    synchronized int received() {
        return measuredReceived;
    }

    synchronized int duplicates() {
        return duplicates;
    }

    /** {@code latency ms: p50=... p90=... p99=... max=...  (over 100 ms: n, over 1 s: n)}. */
    synchronized String percentiles() {
        Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        for (int i = warmup; i < seen.length; i++) {
            if (seen[i]) {
                latency.recordValue(Math.min(nanos[i], latency.getHighestTrackableValue()));
            }
        }
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
        java.util.stream.IntStream.range(warmup, seen.length).filter(i -> seen[i]).boxed()
            .sorted((a, b) -> Long.compare(nanos[b], nanos[a])).limit(10).forEach(i -> slow.append(
                String.format(Locale.ROOT, " %.1f ms (sent at %d ms),", nanos[i] / 1e6, (long) i * intervalMillis)));
        return slow.toString();
    }
}
