package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.log.LogSafe;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers bytes that are not the HTTP they claim to be, with an envelope, the code HTTP requires, a
 * closed connection and one debug line: never a stack trace, since a client can send them at will.
 *
 * <ul>
 * <li>A broken request head (bad request line, header too large, bad Content-Length): Netty's decoder
 *     marks the request invalid and Vert.x hands it to {@link #answerInvalidHead}.</li>
 * <li>A broken chunked body (bad chunk size): the decoder fails mid-body, and Vert.x would close the
 *     connection at once, without an answer, and fail the request, which ended as an ERROR with a stack
 *     trace. {@link #watchFraming} puts a small Netty handler in front of Vert.x's that answers first.</li>
 * <li>An HTTP version other than 1.0 and 1.1: the same handler answers 505 where Vert.x gave a bare 501.</li>
 * </ul>
 */
final class MalformedHttp {
    private static final Logger log = LoggerFactory.getLogger(MalformedHttp.class);
    static final String ROUTE = "malformed";

    private final Runnable counted;

    MalformedHttp(Runnable counted) {
        this.counted = counted;
    }

    /** Vert.x's invalid-request handler: a head the decoder could not read. */
    void answerInvalidHead(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result.cause();
        int httpStatus;
        String detail;
        if (cause instanceof TooLongHttpLineException) {
            httpStatus = HttpResponseStatus.REQUEST_URI_TOO_LONG.code();
            detail = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            httpStatus = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code();
            detail = "headers too large";
        } else {
            httpStatus = HttpResponseStatus.BAD_REQUEST.code();
            detail = describe(cause);
        }
        log.debug("malformed request head from {}: {}", request.remoteAddress(), LogSafe.of(cause));
        Responder.writeAndClose(request, ROUTE, Errors.malformedRequest(detail), httpStatus);
    }

    /**
     * Puts {@link FramingAnswers} in front of Vert.x on an HTTP/1.x connection. It needs Netty's pipeline, which
     * Vert.x 4 shows only through its internal connection class; without it, a broken body still closes the
     * connection, only without an answer.
     */
    void watchFraming(HttpConnection connection) {
        if (connection instanceof Http1xServerConnection http1) {
            ChannelHandlerContext vertx = http1.channelHandlerContext();
            vertx.pipeline().addBefore(vertx.name(), "mqproxy-framing", new FramingAnswers());
        }
    }

    private static String describe(Throwable cause) {
        if (cause == null || cause.getMessage() == null) {
            return null;
        }
        String m = cause.getMessage();
        return m.length() <= 120 ? m : m.substring(0, 120) + "...";
    }

    /**
     * What Vert.x would answer without a word or with a bare 5xx: a chunked body the decoder could not read
     * (Vert.x closes at once) and an HTTP version other than 1.0 and 1.1 (Vert.x answers a bodiless 501).
     * Answers them with an envelope and closes. It counts request heads passed up and whole responses passed
     * down, so it answers only a request that has no answer yet, in its turn.
     */
    private final class FramingAnswers extends ChannelDuplexHandler {
        private long requests;
        private long responses;
        /** Answered and closing: whatever else arrives is dropped, Vert.x never sees it. */
        private boolean closing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                HttpVersion version = request.protocolVersion();
                boolean spoken = version.majorVersion() == 1 && version.minorVersion() <= 1;
                if (!spoken && request.decoderResult().isSuccess() && responses == requests) {
                    log.debug("request from {} in unsupported {}", ctx.channel().remoteAddress(), LogSafe.of(version));
                    answerAndClose(ctx, msg, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                        Errors.malformedRequest(version.text() + " is not supported; use HTTP/1.1"));
                    return;
                }
                requests++;
            } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
                Throwable cause = content.decoderResult().cause();
                log.debug("malformed request body from {}: {}", ctx.channel().remoteAddress(), LogSafe.of(cause));
                if (responses < requests) {
                    answerAndClose(ctx, msg, HttpResponseStatus.BAD_REQUEST, Errors.malformedRequest(describe(cause)));
                } else {
                    ReferenceCountUtil.release(msg);
                    closing = true;
                    counted.run();
                    ctx.close();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent) {
                responses++;
            }
            ctx.write(msg, promise);
        }

        private void answerAndClose(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status,
                                    ProxyError error) {
            ReferenceCountUtil.release(msg);
            closing = true;
            counted.run();
            byte[] body;
            try {
                body = Json.MAPPER.writeValueAsBytes(new Envelope(error.status(), error.getMessage(), null));
            } catch (JsonProcessingException e) {
                body = "{\"status\":400}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
