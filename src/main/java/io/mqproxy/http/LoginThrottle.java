package io.mqproxy.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * Throttles failed operator logins (a bearer token on the admin port, the console's login) per source
 * address: after {@code maxFailures} failures within a window that began with the first of them, the
 * address is answered 429 until the window ends, even with the right token, so guessing a token costs a
 * window per {@code maxFailures} tries; other addresses are not affected.
 *
 * <p>Memory is bounded: at most {@code maxAddresses} addresses are followed, each forgotten when its window
 * ends. A full table never forgets an address early (an attacker cannot reset its count by making others
 * fail): failures from addresses it has no room for all count against one shared entry, which throttles them
 * together. Caffeine's own size bound sits above that, only as a backstop.
 *
 * <p>Each failure is told to {@code audit} only when worth a record: the first of an address's window and
 * the one that throttles it; so an address leaves at most two audit records per window, whatever it sends.
 */
final class LoginThrottle {
    /** The address that stands for all those the table has no room for. */
    static final String OVERFLOW = "(addresses over the throttle's table)";

    /** What an audit record of failures from one address says. */
    interface Audit {
        void failed(String address, String result);
    }

    private static final class Window {
        final long startNanos;
        int failures;
        int refusals;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final int maxFailures;
    private final long windowNanos;
    private final int maxAddresses;
    private final Ticker ticker;
    private final Audit audit;
    private final Cache<String, Window> windows;

    LoginThrottle(int maxFailures, Duration window, int maxAddresses, Ticker ticker, Audit audit) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.maxAddresses = maxAddresses;
        this.ticker = ticker;
        this.audit = audit;
        this.windows = Caffeine.newBuilder()
            .maximumSize(2L * maxAddresses + 1)
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfter(new Expiry<String, Window>() {
                @Override
                public long expireAfterCreate(String key, Window w, long now) {
                    return Math.max(0, w.startNanos + windowNanos - now);
                }

                @Override
                public long expireAfterUpdate(String key, Window w, long now, long current) {
                    return current;
                }

                @Override
                public long expireAfterRead(String key, Window w, long now, long current) {
                    return current;
                }
            })
            .build();
    }

    /** Seconds the address must wait before trying again (0: it may try now). */
    long retryAfterSeconds(String address) {
        Window w = windows.getIfPresent(key(address, false));
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            if (w.failures < maxFailures) {
                return 0;
            }
            long left = w.startNanos + windowNanos - ticker.read();
            return left <= 0 ? 0 : Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
        }
    }

    /** Counts a failed login from the address, and audits it when it is the first of its window or throttles it. */
    void failed(String address, String why) {
        String key = key(address, true);
        int failures = count(key, true);
        if (failures == 1) {
            audit.failed(key, "refused: " + why);
        } else if (failures == maxFailures) {
            audit.failed(key, "refused: " + why + "; " + maxFailures + " failed logins within "
                + windowNanos / 1_000_000_000L + " s: this address is answered 429 until the window ends (later "
                + "failures in it are not recorded one by one)");
        }
    }

    /**
     * Audits a refusal that guessed no token (no token at all, a console session gone, a console change
     * without its CSRF token, which a page of another site may send from an operator's browser), at most
     * once per window per address, and without counting it against the address: such a page must not
     * lock the operator out.
     */
    void refused(String address, String why) {
        String key = key(address, true);
        if (count(key, false) == 1) {
            audit.failed(key, "refused: " + why + " (later ones from this address within "
                + windowNanos / 1_000_000_000L + " s are not recorded one by one)");
        }
    }

    /** Counts one more failed login ({@code failure}) or token-less refusal in the key's window; the new count. */
    private int count(String key, boolean failure) {
        Window w = windows.get(key, k -> new Window(ticker.read()));
        synchronized (w) {
            return failure ? ++w.failures : ++w.refusals;
        }
    }

    /** The table's key for an address: itself, or the shared entry when the table has no room for it. */
    private String key(String address, boolean adding) {
        String a = address == null ? "unknown" : address;
        if (windows.getIfPresent(a) != null) {
            return a;
        }
        if (windows.getIfPresent(OVERFLOW) != null && !adding) {
            // An address without an entry of its own while others overflow: it is judged with them.
            return windows.estimatedSize() >= maxAddresses ? OVERFLOW : a;
        }
        if (adding && windows.estimatedSize() >= maxAddresses) {
            windows.cleanUp(); // drop ended windows before judging the table full
            if (windows.estimatedSize() >= maxAddresses) {
                return OVERFLOW;
            }
        }
        return a;
    }

    /** Addresses followed now (for tests). */
    long size() {
        windows.cleanUp();
        return windows.estimatedSize();
    }
}
