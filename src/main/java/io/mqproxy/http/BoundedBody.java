package io.mqproxy.http;

import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.log.LogSafe;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body into memory as its bytes arrive, up to a limit per request (413) and within the
 * process-wide {@link BodyBudget} (503). Memory follows the bytes received, not the Content-Length a
 * client announces: 60 connections announcing 16 MB each and sending nothing once took a 512 MiB heap.
 *
 * <p>Unlike Vert.x's BodyHandler it does not decode forms: {@link RequestParams} decodes them once, from
 * these bytes, with the declared charset.
 */
final class BoundedBody implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(BoundedBody.class);
    private static final String KEY = "mqproxy.body";
    private static final Buffer EMPTY = Buffer.buffer(0);
    /** The most an announced length may make us allocate before its bytes come: it saves a few copies, no more. */
    private static final int MAX_FIRST_ALLOCATION = 64 * 1024;

    private final long limit;
    private final BodyBudget budget;
    private final Runnable onBudgetSpent;

    BoundedBody(long limit, BodyBudget budget, Runnable onBudgetSpent) {
        this.limit = limit;
        this.budget = budget;
        this.onBudgetSpent = onBudgetSpent;
    }

    /** The body read for this request; empty when it had none. */
    static Buffer of(RoutingContext ctx) {
        Buffer body = ctx.get(KEY);
        return body == null ? EMPTY : body;
    }

    /**
     * True while a request's body is still arriving. A request without one (no Content-Length above 0, not
     * chunked) counts as whole: Vert.x marks its end only just after its head is handled.
     */
    static boolean stillArriving(HttpServerRequest request) {
        if (request.isEnded()) {
            return false;
        }
        String length = request.getHeader("Content-Length");
        return request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = -1;
        String header = request.getHeader("Content-Length");
        if (header != null) {
            try {
                declared = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                ProxyError bad = Errors.malformedRequest("Content-Length is not a number");
                ctx.fail(bad.status(), bad);
                return;
            }
        }
        if (request.isEnded()) {
            ctx.next();
            return;
        }
        if (!stillArriving(request)) {
            // No body announced (a GET, a long poll): nothing to read or reserve, only its end to let through.
            request.resume();
            ctx.next();
            return;
        }
        Reading reading = new Reading(ctx, declared);
        ctx.addEndHandler(v -> reading.finish());
        request.handler(reading::chunk);
        request.exceptionHandler(reading::broken);
        request.endHandler(v -> reading.complete());
        if (declared > limit) {
            // Refused before a byte is read; the handlers above drop the rest and close when it is in.
            reading.refuse(Errors.bodyTooLarge(limit));
            return;
        }
        request.resume();
    }

    /** One request's body while it arrives. Runs on the request's event loop only. */
    private final class Reading {
        private final RoutingContext ctx;
        private final long declared;
        private Buffer body;
        private long reserved;
        /** Answered or gone: later bytes are dropped and nothing more is reserved. */
        private boolean finished;

        Reading(RoutingContext ctx, long declared) {
            this.ctx = ctx;
            this.declared = declared;
        }

        void chunk(Buffer chunk) {
            if (finished) {
                return;
            }
            int size = chunk.length();
            if ((body == null ? 0 : body.length()) + (long) size > limit) {
                refuse(Errors.bodyTooLarge(limit));
                return;
            }
            if (!budget.tryReserve(size)) {
                onBudgetSpent.run();
                refuse(Errors.bodyBudgetSpent(budget.limit()));
                return;
            }
            reserved += size;
            if (body == null) {
                body = Buffer.buffer((int) Math.max(size, Math.min(declared, MAX_FIRST_ALLOCATION)));
            }
            body.appendBuffer(chunk);
        }

        void complete() {
            if (finished) {
                // Its answer went out before the body was in; the client was told to close, so close.
                ctx.request().connection().close();
                return;
            }
            ctx.put(KEY, body == null ? EMPTY : body);
            ctx.next();
        }

        /** The connection broke off mid-body: a client's doing, worth one line at debug, never a stack trace. */
        void broken(Throwable cause) {
            if (finished) {
                return;
            }
            log.debug("request body from {} broken off: {}", ctx.request().remoteAddress(), LogSafe.of(cause));
            refuse(Errors.malformedRequest(cause.getMessage()));
        }

        void refuse(ProxyError error) {
            if (!finished) {
                finished = true;
                ctx.fail(error.status(), error);
            }
        }

        /** The request ended (answered, refused or reset): its bytes go back to the budget. */
        void finish() {
            finished = true;
            budget.release(reserved);
            reserved = 0;
        }
    }
}
