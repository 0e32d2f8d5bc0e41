package io.mqproxy.http;

import io.mqproxy.control.Actor;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What every control route class shares: a call parsed, run and answered as an envelope, the operator
 * the door let in ({@link AdminRoutes}), and the parameters every route reads alike (unknown fields
 * refused, times, the group of the path).
 */
final class AdminCalls {
    static final String PREFIX = "/admin";
    /** Where the door leaves the operator it let in, for the route to read. */
    static final String ACTOR = "mqproxy.actor";

    private final Responder responder;

    AdminCalls(Responder responder) {
        this.responder = responder;
    }

    /** Parses the request, runs the call, answers its result (or the error) as an envelope. */
    void call(RoutingContext ctx, Function<RequestParams, ? extends CompletionStage<?>> call) {
        String route = ctx.currentRoute().getPath() == null ? "admin" : ctx.currentRoute().getPath();
        CompletionStage<?> work;
        try {
            work = call.apply(RequestParams.admin(ctx));
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        responder.answer(ctx, route, work.thenApply(result -> (Object) result), Envelope::ok);
    }

    void ok(RoutingContext ctx, Object result) {
        responder.write(ctx, ctx.currentRoute().getPath(), Envelope.ok(result), 200);
    }

    /**
     * The latest time a parameter may name: the end of year 9999. Instants go far beyond what epoch milliseconds
     * hold ({@code +999999999-12-31T23:59:59Z} overflowed into a 500), and no message is stored that late.
     */
    static final long MAX_EPOCH_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    /** "earliest", "latest", epoch milliseconds, or an ISO-8601 instant, from 1970 to the end of year 9999. */
    static long timestamp(String param, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("earliest")) {
            return 0;
        }
        if (v.equalsIgnoreCase("latest")) {
            return -1;
        }
        String shown = "'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'";
        long ms;
        try {
            ms = Long.parseLong(v);
        } catch (NumberFormatException notNumber) {
            Instant instant;
            try {
                instant = Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw Errors.badParam(param, "must be earliest, latest, epoch milliseconds or an ISO-8601 time "
                    + "(2026-12-01T10:00:00Z), got " + shown);
            }
            ms = instant.isBefore(Instant.EPOCH) ? -1 : instant.isAfter(Instant.ofEpochMilli(MAX_EPOCH_MILLIS))
                ? MAX_EPOCH_MILLIS + 1 : instant.toEpochMilli();
        }
        if (ms < 0 || ms > MAX_EPOCH_MILLIS) {
            throw Errors.badParam(param, "must be earliest, latest, or a time from 1970-01-01T00:00:00Z to "
                + "9999-12-31T23:59:59.999Z (epoch milliseconds 0.." + MAX_EPOCH_MILLIS + " or ISO-8601), got " + shown);
        }
        return ms;
    }

    /** A point in time for a range: epoch milliseconds or ISO-8601 (earliest and latest make no range). */
    static long range(String param, String value) {
        long t = timestamp(param, value);
        if (t <= 0 && !value.trim().equals("0")) {
            throw Errors.badParam(param, "must be epoch milliseconds or an ISO-8601 time, got '" + value + "'");
        }
        return t;
    }

    /** Refuses a parameter the route does not know: a typo must not pass as "unchanged". */
    static void known(RequestParams p, Set<String> allowed) {
        for (String name : p.names()) {
            if (!allowed.contains(name)) {
                throw Errors.badParam(name, "unknown field; known: " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    static Actor actor(RoutingContext ctx) {
        return ctx.get(ACTOR);
    }

    static String group(RoutingContext ctx) {
        return ctx.pathParam("group");
    }

    static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
