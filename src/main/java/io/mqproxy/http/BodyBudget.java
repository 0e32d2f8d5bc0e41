package io.mqproxy.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of all request bodies being read at once, on every port and event loop, held under one
 * bound ({@code http.maxBodyBytesInFlight}). Bytes are reserved as they arrive, never from what a
 * Content-Length announces, and given back when the request ends, however it ends.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes}, or nothing and false when they would pass the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > limit) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            reserved.addAndGet(-bytes);
        }
    }

    long reserved() {
        return reserved.get();
    }

    long limit() {
        return limit;
    }
}
