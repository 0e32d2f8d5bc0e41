package io.mqproxy.push;

import java.time.Clock;
import java.util.function.IntSupplier;

/**
 * An endpoint's request rate, shared by the fleet: each instance takes {@code rate / live instances}
 * (as the operators' group rate limits do), as a token bucket holding one second of it. Used from one
 * pusher's context only, so it needs no locks.
 */
final class RateGate {
    private final int ratePerSecond;
    private final IntSupplier liveInstances;
    private double tokens;
    private final Clock clock;
    private long refilledAt;

    /**
     * @param ratePerSecond 0: no limit
     * @param clock         the bucket refills by it (millisecond precision)
     */
    RateGate(int ratePerSecond, IntSupplier liveInstances, Clock clock) {
        this.clock = clock;
        this.refilledAt = clock.millis();
        this.ratePerSecond = ratePerSecond;
        this.liveInstances = liveInstances;
        this.tokens = share();
    }

    /** Milliseconds until a request may go; 0: now. */
    long waitMillis() {
        if (ratePerSecond == 0) {
            return 0;
        }
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * 1000 / share());
    }

    void take() {
        if (ratePerSecond > 0) {
            refill();
            tokens -= 1;
        }
    }

    private void refill() {
        long now = clock.millis();
        double share = share();
        // A wall clock set back refills nothing; it never takes tokens away.
        tokens = Math.min(Math.max(1, share), tokens + Math.max(0, now - refilledAt) / 1e3 * share);
        refilledAt = now;
    }

    private double share() {
        return (double) ratePerSecond / Math.max(1, liveInstances.getAsInt());
    }
}
