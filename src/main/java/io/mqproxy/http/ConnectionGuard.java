package io.mqproxy.http;

import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.log.LogSafe;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that hold the server without asking anything of it: one with no request in
 * progress (fresh, or kept alive after an answer) when no whole request head arrives within the idle
 * time-out, and one whose request body is not whole within the body time-out (answered 408 first).
 * Bytes trickling in extend neither: a client sending a header byte a second is closed like a silent
 * one. A request read whole and waiting for its answer (a long poll) is cut only by the backstop: when
 * no answer has begun long after any long poll would have been answered, something is stuck, and the
 * connection is closed rather than held for ever. An answer under way (an event stream) is not cut: its
 * heartbeats show a vanished client as a failed write.
 *
 * <p>The guard also knows when each request's head arrived ({@link #startedAt}), which is what its
 * latency is measured from: kept here, it costs a waiting request nothing it did not already hold.
 *
 * <p>Deadlines are checked by a periodic {@link #sweep} rather than a timer per connection or request:
 * a request then costs two field writes, and ten thousand idle connections one pass a second.
 *
 * <p>One per HTTP server, so everything here runs on that server's event loop and needs no locks.
 */
final class ConnectionGuard implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    /** {@link #startedAt}'s answer for a request the guard is not watching. */
    static final long UNKNOWN = Long.MIN_VALUE;
    /** How long a refused request's client may go on sending (dropped) so that it can read its answer. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int idleSeconds;
    private final int bodySeconds;
    private final long idleNanos;
    private final long bodyNanos;
    private final int backstopSeconds;
    private final long backstopNanos;
    /** Requests begun and not yet answered, on every server sharing the counter (null: not counted). */
    private final AtomicInteger inFlight;
    private final Map<HttpConnection, Watch> watches = new HashMap<>();

    /**
     * @param backstopSeconds how long a request read whole may wait for its answer to begin
     * @param inFlight        counts the requests begun and not yet ended, or null
     */
    ConnectionGuard(int idleSeconds, int bodySeconds, int backstopSeconds, AtomicInteger inFlight) {
        this.idleSeconds = idleSeconds;
        this.bodySeconds = bodySeconds;
        this.backstopSeconds = backstopSeconds;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.bodyNanos = TimeUnit.SECONDS.toNanos(bodySeconds);
        this.backstopNanos = TimeUnit.SECONDS.toNanos(backstopSeconds);
        this.inFlight = inFlight;
    }

    /** How often to {@link #sweep}: a deadline is kept to within a quarter of the shorter time-out, or a second. */
    long sweepMillis() {
        return Math.max(100, Math.min(1000, Math.min(idleSeconds, bodySeconds) * 250L));
    }

    /** A new connection: its idle time-out runs from now. */
    void connected(HttpConnection connection) {
        watches.put(connection, new Watch(connection, System.nanoTime()));
        connection.closeHandler(v -> watches.remove(connection));
    }

    /** First handler of every router: a whole request head has arrived on the connection. */
    @Override
    public void handle(RoutingContext ctx) {
        Watch watch = watches.get(ctx.request().connection());
        if (watch != null) {
            watch.began(ctx);
            ctx.addEndHandler(v -> watch.ended(ctx));
        }
        ctx.next();
    }

    /** When the request's head arrived ({@link System#nanoTime()}), or {@link #UNKNOWN} once it is answered. */
    long startedAt(RoutingContext ctx) {
        Watch watch = watches.get(ctx.request().connection());
        return watch != null && watch.current == ctx ? watch.since : UNKNOWN;
    }

    /** Closes or answers what is past its deadline. */
    void sweep() {
        long now = System.nanoTime();
        List<Watch> due = null;
        for (Watch watch : watches.values()) {
            if (watch.due(now)) {
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(watch);
            }
        }
        if (due != null) {
            for (Watch watch : due) {
                watch.act();
            }
        }
    }

    /** Connections watched now (for tests and metrics of the guard itself). */
    int watched() {
        return watches.size();
    }

    private final class Watch {
        private final HttpConnection connection;
        /** The request being read or answered; null while the connection is idle. */
        private RoutingContext current;
        /** When current's head arrived, or when the connection fell idle. */
        private long since;
        /** A request answered before its body was in: the connection closes when the body is, or at lingerUntil. */
        private HttpServerRequest lingering;
        private long lingerUntil;

        Watch(HttpConnection connection, long now) {
            this.connection = connection;
            this.since = now;
        }

        void began(RoutingContext ctx) {
            if (lingering != null) {
                // The client was told "Connection: close" and sent another request anyway.
                connection.close();
                return;
            }
            current = ctx;
            since = System.nanoTime();
            if (inFlight != null) {
                inFlight.incrementAndGet();
            }
        }

        void ended(RoutingContext ctx) {
            if (current != ctx) {
                return;
            }
            current = null;
            if (inFlight != null) {
                inFlight.decrementAndGet();
            }
            long now = System.nanoTime();
            if (BoundedBody.stillArriving(ctx.request())) {
                lingering = ctx.request();
                lingerUntil = Math.min(now + LINGER_NANOS, since + bodyNanos);
                if (lingerUntil - now <= 0) {
                    connection.close();
                }
            }
            since = now;
        }

        boolean due(long now) {
            if (lingering != null) {
                return lingering.isEnded() || now - lingerUntil >= 0;
            }
            if (current == null) {
                return now - since >= idleNanos;
            }
            if (!current.request().isEnded()) {
                return now - since >= bodyNanos;
            }
            return now - since >= backstopNanos && !current.response().headWritten();
        }

        void act() {
            if (lingering != null) {
                connection.close();
            } else if (current == null) {
                log.debug("closing connection from {}: no request within {} s (http.idleTimeoutSeconds)",
                    connection.remoteAddress(), idleSeconds);
                connection.close();
            } else if (current.request().isEnded()) {
                log.warn("closing connection from {}: its {} {} had no answer within {} s",
                    connection.remoteAddress(), LogSafe.of(current.request().method()), LogSafe.of(current.request().path()),
                    backstopSeconds);
                connection.close();
            } else {
                log.debug("request body from {} not whole within {} s (http.requestBodyTimeoutSeconds)",
                    connection.remoteAddress(), bodySeconds);
                ProxyError timeout = Errors.bodyTimeout(bodySeconds);
                RoutingContext late = current;
                if (late.response().ended() || late.response().closed()) {
                    connection.close();
                } else {
                    late.fail(timeout.status(), timeout);
                }
            }
        }
    }
}
