package io.mqproxy.http;

import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body into memory up to a limit and refuses a larger one (413) as soon as it says or
 * shows so. Unlike Vert.x's BodyHandler it does not decode forms: {@link RequestParams} decodes them
 * once, from these bytes, with the declared charset.
 */
final class BoundedBody implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(BoundedBody.class);
    private static final String KEY = "mqproxy.body";
    private static final Buffer EMPTY = Buffer.buffer(0);

    private final long limit;

    BoundedBody(long limit) {
        this.limit = limit;
    }

    /** The body read for this request; empty when it had none. */
    static Buffer of(RoutingContext ctx) {
        Buffer body = ctx.get(KEY);
        return body == null ? EMPTY : body;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    ctx.fail(413);
                    return;
                }
            } catch (NumberFormatException e) {
                ctx.fail(400);
                return;
            }
        }
        if (request.isEnded()) {
            ctx.next();
            return;
        }
        Buffer body = Buffer.buffer(declared == null ? 1024 : (int) Math.min(Long.parseLong(declared.trim()), limit));
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                refused[0] = true;
                ctx.fail(413);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> {
            if (!refused[0]) {
                // The connection broke off mid-body: a client's doing, worth one debug line, never a stack trace.
                refused[0] = true;
                log.debug("request body from {} broken off: {}", request.remoteAddress(), e.toString());
                ProxyError broken = Errors.malformedRequest(e.getMessage());
                ctx.fail(broken.status(), broken);
            }
        });
        request.endHandler(v -> {
            if (!refused[0]) {
                ctx.put(KEY, body);
                ctx.next();
            }
        });
        request.resume();
    }
}
