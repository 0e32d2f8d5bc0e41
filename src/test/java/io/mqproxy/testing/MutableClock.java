package io.mqproxy.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock a test moves by hand: time rules (timeouts, windows, TTLs, rates) are checked by advancing it, not
 * by sleeping. Safe to read from any thread.
 */
public final class MutableClock extends Clock {
    private final AtomicLong millis;

    private MutableClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    /** A clock standing at {@code epochMillis} until moved. */
    public static MutableClock at(long epochMillis) {
        return new MutableClock(epochMillis);
    }

    public void advance(Duration by) {
        millis.addAndGet(by.toMillis());
    }

    public void advanceMillis(long by) {
        millis.addAndGet(by);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock is UTC");
    }
}
