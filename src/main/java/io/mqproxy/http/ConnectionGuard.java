package io.mqproxy.http;

import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that hold the server without asking anything of it: one with no request in
 * progress (fresh, or kept alive after an answer) when no whole request head arrives within the idle
 * time-out, and one whose request body is not whole within the body time-out (answered 408 first).
 * Bytes trickling in extend neither: a client sending a header byte a second is closed like a silent
 * one. A request read whole and waiting for its answer (a long poll) is never cut here.
 *
 * <p>Deadlines are checked by a periodic {@link #sweep} rather than a timer per connection or request:
 * a request then costs two field writes, and ten thousand idle connections one pass a second.
 *
 * <p>One per HTTP server, so everything here runs on that server's event loop and needs no locks.
 */
final class ConnectionGuard implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    /** How long a refused request's client may go on sending (dropped) so that it can read its answer. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int idleSeconds;
    private final int bodySeconds;
    private final long idleNanos;
    private final long bodyNanos;
    private final Map<HttpConnection, Watch> watches = new HashMap<>();

    ConnectionGuard(int idleSeconds, int bodySeconds) {
        this.idleSeconds = idleSeconds;
        this.bodySeconds = bodySeconds;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.bodyNanos = TimeUnit.SECONDS.toNanos(bodySeconds);
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
        }

        void ended(RoutingContext ctx) {
            if (current != ctx) {
                return;
            }
            current = null;
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
            return now - since >= bodyNanos && !current.request().isEnded();
        }

        void act() {
            if (lingering != null) {
                connection.close();
            } else if (current == null) {
                log.debug("closing connection from {}: no request within {} s (http.idleTimeoutSeconds)",
                    connection.remoteAddress(), idleSeconds);
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
